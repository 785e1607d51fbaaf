import { z } from 'zod';
import { PROVIDER_IDS, SLUG_PATTERN } from '@switchyard/types';

const slug = z.string().regex(SLUG_PATTERN, 'must be 1-64 lowercase letters, digits or dashes, not starting or ending with a dash');
const quota = z.number().nonnegative().nullable().optional();

export const createOrganizationSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    quotas: z
      .object({ monthly_requests: quota.pipe(z.number().int().nonnegative().nullable().optional()), monthly_spend: quota })
      .strict()
      .optional(),
  })
  .strict();

export const createProjectSchema = z.object({ name: z.string().trim().min(1).max(200), id: slug.optional() }).strict();

export const createAccessKeySchema = z
  .object({
    organization_id: z.uuid(),
    project_id: z.uuid().nullable().optional(),
    name: z.string().trim().min(1).max(200),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
    admin: z.boolean().optional(),
  })
  .strict();

const baseUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2048)
  .transform((u) => u.replace(/\/+$/, ''));

export const createConnectionSchema = z
  .object({
    organization_id: z.uuid(),
    provider: z.enum([...PROVIDER_IDS, 'gemini', 'vertex', 'bedrock', 'azure']),
    name: z.string().trim().min(1).max(200),
    slug,
    credentials: z.record(z.string(), z.unknown()),
    base_url: baseUrl.nullable().optional(),
    is_default: z.boolean().optional(),
    rate_limit: z.number().int().positive().nullable().optional(),
    rate_limit_period: z.number().int().positive().nullable().optional(),
  })
  .strict();

export const patchConnectionSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    slug,
    credentials: z.record(z.string(), z.unknown()),
    base_url: baseUrl.nullable(),
    is_default: z.boolean(),
    rate_limit: z.number().int().positive().nullable(),
    rate_limit_period: z.number().int().positive().nullable(),
  })
  .partial()
  .strict();

export type CreateOrganizationDto = z.infer<typeof createOrganizationSchema>;
export type CreateProjectDto = z.infer<typeof createProjectSchema>;
export type CreateAccessKeyDto = z.infer<typeof createAccessKeySchema>;
export type CreateConnectionDto = z.infer<typeof createConnectionSchema>;
export type PatchConnectionDto = z.infer<typeof patchConnectionSchema>;

export interface OrganizationView {
  id: string;
  name: string;
  default_project_id: string;
  quotas: { monthly_requests: number | null; monthly_spend: number | null };
  created_at: string;
}

export interface ProjectView {
  id: string;
  uuid: string;
  organization_id: string;
  name: string;
  is_default: boolean;
  retention_days: number;
  created_at: string;
  modified_at: string;
  [setting: string]: unknown;
}

export interface AccessKeyView {
  id: string;
  organization_id: string;
  project_id: string | null;
  name: string;
  preview: string;
  admin: boolean;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

export interface ConnectionView {
  id: string;
  organization_id: string;
  provider: string;
  name: string;
  slug: string;
  secret_preview: string;
  base_url: string | null;
  is_default: boolean;
  rate_limit: number | null;
  rate_limit_period: number | null;
  created_at: string;
  modified_at: string;
}

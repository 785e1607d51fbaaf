import type { ProjectEntity, ProjectsRepository } from '@switchyard/persistence';
import { createProjectSchema, projectRefSchema } from './project.dto';
import { findProject } from './project-ref';

const ORG = '0190f0e8-0000-7000-8000-000000000001';
const SUPPORT = { id: '0190f0e8-0000-7000-8000-0000000000aa', organizationId: ORG, slug: 'support' } as ProjectEntity;
// A project created before slugs could not have the shape of a UUID.
const LEGACY = { id: '0190f0e8-0000-7000-8000-0000000000bb', organizationId: ORG, slug: '0190f0e8-0000-7000-8000-0000000000cc' } as ProjectEntity;

function repo() {
  const calls: string[] = [];
  const rows = [SUPPORT, LEGACY];
  const projects = {
    findById: async (org: string, id: string) => (calls.push(`id:${id}`), rows.find((p) => p.organizationId === org && p.id === id) ?? null),
    findBySlug: async (org: string, slug: string) => (calls.push(`slug:${slug}`), rows.find((p) => p.organizationId === org && p.slug === slug) ?? null),
  } as unknown as ProjectsRepository;
  return { projects, calls };
}

describe('findProject: a project named by slug or UUID', () => {
  it('finds a project by its slug with one query', async () => {
    const { projects, calls } = repo();
    expect(await findProject(projects, ORG, 'support')).toBe(SUPPORT);
    expect(calls).toEqual(['slug:support']);
  });

  it('finds a project by its UUID', async () => {
    const { projects, calls } = repo();
    expect(await findProject(projects, ORG, SUPPORT.id)).toBe(SUPPORT);
    expect(calls).toEqual([`id:${SUPPORT.id}`]);
  });

  it('tries a UUID that is no project id as a slug', async () => {
    const { projects } = repo();
    expect(await findProject(projects, ORG, LEGACY.slug)).toBe(LEGACY);
  });

  it('answers null for an unknown slug, and for a project of another organization', async () => {
    const { projects } = repo();
    expect(await findProject(projects, ORG, 'nope')).toBeNull();
    expect(await findProject(projects, '0190f0e8-0000-7000-8000-000000000002', 'support')).toBeNull();
  });
});

describe('project ids in admin input', () => {
  it('accepts a slug or a UUID as project_id, nothing else', () => {
    expect(projectRefSchema.safeParse('support').success).toBe(true);
    expect(projectRefSchema.safeParse(SUPPORT.id).success).toBe(true);
    expect(projectRefSchema.safeParse(SUPPORT.id.toUpperCase()).success).toBe(true);
    for (const bad of ['', 'Support Bot', '-x', 'a/b']) expect(projectRefSchema.safeParse(bad).success).toBe(false);
  });

  it('refuses a new project slug with the shape of a UUID', () => {
    expect(createProjectSchema.safeParse({ name: 'x', id: 'support' }).success).toBe(true);
    const uuid = createProjectSchema.safeParse({ name: 'x', id: SUPPORT.id });
    expect(uuid.success).toBe(false);
    expect(uuid.error?.issues[0]?.path).toEqual(['id']);
  });
});

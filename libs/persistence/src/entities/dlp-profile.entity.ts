import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A custom DLP profile: regular expressions an organization's DLP policies reference by id. */
@Entity({ name: 'dlp_profiles' })
export class DlpProfileEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  name!: string;

  @Column('text', { default: '' })
  description!: string;

  /** Regular expression sources (JavaScript syntax), validated on save. */
  @Column('jsonb')
  patterns!: string[];

  @Column('boolean', { name: 'case_sensitive', default: true })
  caseSensitive!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'modified_at', type: 'timestamptz' })
  modifiedAt!: Date;
}

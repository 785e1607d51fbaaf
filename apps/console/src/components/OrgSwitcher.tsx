import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { request, type Page } from '../lib/api';
import { updateSession, useSession } from '../lib/session';

interface Org {
  id: string;
  name: string;
}
interface Project {
  id: string;
  name: string;
}

/** Organization and project selects; picks the first organization and its `default` project when none is chosen. */
export function OrgSwitcher() {
  const { token, org, project } = useSession();
  const orgs = useQuery({ queryKey: ['orgs', token], queryFn: () => request<Page<Org>>('/v1/admin/organizations', token!) });
  const projects = useQuery({ queryKey: ['projects', org], enabled: !!org, queryFn: () => request<Page<Project>>(`/v1/admin/organizations/${org}/projects`, token!) });
  useEffect(() => {
    const first = orgs.data?.data[0];
    if (first && (!org || !orgs.data?.data.some((o) => o.id === org))) updateSession({ org: first.id, project: 'default' });
  }, [orgs.data, org]);
  if (orgs.error) return <span className="error">{orgs.error.message}</span>;
  return (
    <div className="switcher">
      <label>
        <span className="sr-only">Organization</span>
        <select aria-label="Organization" value={org ?? ''} onChange={(e) => updateSession({ org: e.target.value, project: 'default' })}>
          {orgs.data?.data.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="sr-only">Project</span>
        <select aria-label="Project" value={project ?? ''} onChange={(e) => updateSession({ project: e.target.value })}>
          {projects.data?.data.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.id})
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

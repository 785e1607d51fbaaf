import { lazy, Suspense, useEffect, useState } from 'react';
import { NavLink, Navigate, Route, Routes } from 'react-router';
import { OrgSwitcher } from './components/OrgSwitcher';
import { Empty, Loading } from './components/States';
import { signOut, useSession } from './lib/session';
import { SignIn } from './pages/SignIn';

// Route-level code splitting: each page is its own chunk, loaded when first opened.
const Overview = lazy(() => import('./pages/Overview'));
const Logs = lazy(() => import('./pages/Logs'));
const Traces = lazy(() => import('./pages/Traces'));
const Playground = lazy(() => import('./pages/Playground'));
const Keys = lazy(() => import('./pages/Keys'));
const Connections = lazy(() => import('./pages/Connections'));
const Projects = lazy(() => import('./pages/Projects'));
const RoutesPage = lazy(() => import('./pages/RoutesPage'));
const Documents = lazy(() => import('./pages/Documents'));
const Configs = lazy(() => import('./pages/Configs'));
const Prompts = lazy(() => import('./pages/Prompts'));

const NAV: Array<[string, string]> = [
  ['overview', 'Overview'],
  ['logs', 'Logs'],
  ['traces', 'Traces'],
  ['playground', 'Playground'],
  ['keys', 'Keys'],
  ['connections', 'Connections'],
  ['projects', 'Projects'],
  ['routes', 'Routes'],
  ['configs', 'Configs'],
  ['prompts', 'Prompts'],
  ['documents', 'Documents'],
];

type Theme = 'light' | 'dark' | 'system';

function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('switchyard.theme') as Theme | null) ?? 'system');
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset['theme'];
    else document.documentElement.dataset['theme'] = theme;
    localStorage.setItem('switchyard.theme', theme);
  }, [theme]);
  return [theme, setTheme];
}

export function App() {
  const session = useSession();
  const [theme, setTheme] = useTheme();
  const [menuOpen, setMenuOpen] = useState(false);
  if (!session.token) return <SignIn />;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button className="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <strong className="brand">Switchyard</strong>
        <OrgSwitcher />
        <label className="theme">
          <span className="sr-only">Theme</span>
          <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)} aria-label="Theme">
            <option value="system">System theme</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <button onClick={signOut}>Sign out</button>
      </header>
      <nav id="nav" className={menuOpen ? 'sidebar open' : 'sidebar'} aria-label="Pages">
        {NAV.map(([path, label]) => (
          <NavLink key={path} to={`/${path}`} onClick={() => setMenuOpen(false)}>
            {label}
          </NavLink>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {!session.org || !session.project ? (
          <Empty>
            No organization yet: create one with <code>npx switchyard orgs create &quot;Acme&quot;</code> or <code>POST /v1/admin/organizations</code> (docs/admin-api.md).
          </Empty>
        ) : (
          <Suspense fallback={<Loading what="the page" />}>
            <Routes>
              <Route path="/" element={<Navigate to="/overview" replace />} />
              <Route path="/overview" element={<Overview />} />
              <Route path="/logs" element={<Logs />} />
              <Route path="/logs/:id" element={<Logs />} />
              <Route path="/traces" element={<Traces />} />
              <Route path="/traces/:id" element={<Traces />} />
              <Route path="/playground" element={<Playground />} />
              <Route path="/keys" element={<Keys />} />
              <Route path="/connections" element={<Connections />} />
              <Route path="/projects" element={<Projects />} />
              <Route path="/routes" element={<RoutesPage />} />
              <Route path="/routes/:id" element={<RoutesPage />} />
              <Route path="/configs" element={<Configs />} />
              <Route path="/configs/:id" element={<Configs />} />
              <Route path="/prompts" element={<Prompts />} />
              <Route path="/prompts/:id" element={<Prompts />} />
              <Route path="/documents" element={<Documents />} />
              <Route path="/documents/:id" element={<Documents />} />
              <Route path="*" element={<p>No such page.</p>} />
            </Routes>
          </Suspense>
        )}
      </main>
    </div>
  );
}

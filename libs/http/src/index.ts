export * from './app/create-http-app';
export * from './health/health.module';
export * from './health/readiness-checks';
export * from './raw-routes/raw-routes';
export * from './raw-routes/raw-route-authenticator';
export * from './raw-routes/json-body.reader';
export { writeJson } from './raw-routes/raw-response';
export * from './route-auth/auth-policy';

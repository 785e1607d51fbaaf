export * from './budgets-report';

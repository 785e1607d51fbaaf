import { Injectable } from '@nestjs/common';
import { adminScopeOf, TenantDirectory, type ProjectSnapshot } from '@switchyard/auth';
import { forbidden, invalidRequest, isUuid, type Principal } from '@switchyard/types';

/** The Cloudflare management paths' account (= organization) and gateway (= project), checked against the caller. */
@Injectable()
export class GatewayScope {
  constructor(private readonly directory: TenantDirectory) {}

  /** Checks that the caller administers `account` (an org admin key: its own organization only); returns it lowercased. */
  account(principal: Principal, account: string): string {
    if (!isUuid(account)) throw invalidRequest("'account' must be a UUID.", 'account');
    const scope = adminScopeOf(principal);
    if (scope.kind === 'organization' && scope.organizationId !== account.toLowerCase()) throw forbidden('This key administers another organization.');
    return account.toLowerCase();
  }

  /** The gateway's project, when the caller administers `account`; 404 when the organization has no such gateway. */
  project(principal: Principal, account: string, gateway: string): Promise<ProjectSnapshot> {
    return this.directory.projectBySlug(this.account(principal, account), gateway);
  }

  async projectId(principal: Principal, account: string, gateway: string): Promise<string> {
    return (await this.project(principal, account, gateway)).id;
  }
}

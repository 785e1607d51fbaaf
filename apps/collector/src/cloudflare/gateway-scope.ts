import { Injectable } from '@nestjs/common';
import { adminScopeOf, TenantDirectory, type ProjectSnapshot } from '@switchyard/auth';
import { forbidden, GatewayError, invalidRequest, isUuid, notFound, type Principal } from '@switchyard/types';

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

  /**
   * `account` as `account()` checks it, and it exists (a 404 `account_not_found` otherwise): every organization has a
   * default project, found in the directory's memory (a missing one too, for a few seconds) after the first look.
   */
  async existingAccount(principal: Principal, account: string): Promise<string> {
    const id = this.account(principal, account);
    try {
      await this.directory.projectBySlug(id, null, 'account');
    } catch (err) {
      if (err instanceof GatewayError && err.status === 404) throw notFound(`Account '${id}' does not exist.`, 'account_not_found', 'account');
      throw err;
    }
    return id;
  }

  /** The gateway's project, when the caller administers `account`; 404 when the organization has no such gateway. */
  project(principal: Principal, account: string, gateway: string): Promise<ProjectSnapshot> {
    return this.directory.projectBySlug(this.account(principal, account), gateway);
  }

  async projectId(principal: Principal, account: string, gateway: string): Promise<string> {
    return (await this.project(principal, account, gateway)).id;
  }
}

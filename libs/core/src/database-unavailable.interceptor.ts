import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { isDatabaseUnavailable } from '@switchyard/persistence';
import { serviceUnavailable } from '@switchyard/types';
import { catchError, type Observable, throwError } from 'rxjs';

/**
 * A route whose query finds PostgreSQL unreachable (refused, reset, or silent past the pool's
 * timeouts) answers 503 with Retry-After, in the route family's error shape, instead of a 500.
 */
@Injectable()
export class DatabaseUnavailableInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        catchError((err: unknown) =>
          throwError(() => (isDatabaseUnavailable(err) ? serviceUnavailable('The database is unreachable; retry later.', 'database_unavailable') : err)),
        ),
      );
  }
}

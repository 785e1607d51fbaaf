import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { invalidRequest, isUuid } from '@switchyard/types';

/** A route or query parameter that must be a UUID when given: 400 naming it otherwise. */
@Injectable()
export class UuidPipe implements PipeTransform<string | undefined> {
  transform(value: string | undefined, { data }: ArgumentMetadata): string | undefined {
    if (value !== undefined && !isUuid(value)) throw invalidRequest(`'${data}' must be a UUID.`, data ?? null);
    return value;
  }
}

/** A JSON value (what a PostgreSQL `jsonb` column or a JSON body holds). */
export type JsonValue = string | number | boolean | null | JsonArray | JsonObject;

export type JsonArray = readonly JsonValue[];

export interface JsonObject {
  [key: string]: JsonValue;
}

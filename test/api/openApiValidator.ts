import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks real responses against the OpenAPI document the server itself serves: a response that
 * drifts from the document fails the test that produced it.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020.default({ strict: false, allErrors: true });

  constructor(private readonly doc: any) {
    addFormats.default(this.ajv);
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      this.ajv.addSchema(schema as object, `#/components/schemas/${name}`);
    }
  }

  /** Throws unless `body` matches what the document promises for that operation and status. */
  check(path: string, method: string, status: number, body: unknown): void {
    const operation = this.doc.paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`OpenAPI has no ${method} ${path}`);
    const response = operation.responses[String(status)];
    if (!response) throw new Error(`OpenAPI has no ${status} for ${method} ${path}`);
    const schema = response.content?.['application/json']?.schema;
    if (!schema) {
      if (body !== null && body !== '') throw new Error(`${method} ${path} ${status} should have no body`);
      return;
    }
    const validate = this.ajv.getSchema(schema.$ref)!;
    if (!validate(body)) {
      throw new Error(
        `${method} ${path} ${status} does not match OpenAPI: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
      );
    }
  }
}

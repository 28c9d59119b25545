import { GraphQLError } from 'graphql';
import type { FakeResponse } from './fake-server.ts';

/*
 * Turns graphql-js errors into Linear's error envelope. The SDK builds its typed error from
 * `extensions.type` (LinearErrorType's string form), so every error must carry one:
 *  - errors raised by the fake's resolvers already do ("invalid input" for unknown ids); Linear
 *    answers those with HTTP 200, `data: null`, like any GraphQL execution error;
 *  - syntax and variable-coercion errors (an unsupported filter field, a wrong input type) get
 *    Linear's validation shape, "graphql error" / GRAPHQL_VALIDATION_FAILED, with HTTP 400;
 *  - anything else is a bug or a seeding mistake inside the fake: "internal error", HTTP 500,
 *    message kept so the failing test says what went wrong.
 */
export function linearResponse(errors: readonly GraphQLError[]): FakeResponse {
  let status = 200;
  const formatted = errors.map((error) => {
    const json = error.toJSON();
    if (typeof error.extensions.type === 'string') return json;
    // Only resolver failures have a path; coercion errors may wrap a TypeError but are still the caller's fault.
    const internal = error.path !== undefined && !(error.originalError instanceof GraphQLError);
    status = Math.max(status, internal ? 500 : 400);
    const extensions = internal
      ? { type: 'internal error', code: 'INTERNAL_SERVER_ERROR', statusCode: 500, userError: false }
      : { type: 'graphql error', code: 'GRAPHQL_VALIDATION_FAILED', statusCode: 400, userError: true };
    return { ...json, extensions: { ...extensions, userPresentableMessage: error.message } };
  });
  return { status, body: { errors: formatted, data: null } };
}

import {
  createConfiguration,
  ServerConfiguration,
  Observable,
  type Configuration,
  type KubeConfig,
  type ObservableMiddleware,
} from '@kubernetes/client-node';

/** Default bound on one API request: a hung API server must not hang a reconcile or a lease renewal. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Per-call options that abort the request after `ms` (client-node has no request timeout of its own). */
export function timeoutMiddleware(ms: number): ObservableMiddleware {
  return {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/**
 * Runs `check` as the very last step before a request is sent (after the client's own asynchronous
 * preparation: authentication, serialization), so a leader frozen in between is caught on resume.
 */
export function guardMiddleware(check: () => void): ObservableMiddleware {
  return {
    pre: (context) => {
      if (context.getHttpMethod() !== 'GET') check();
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/**
 * `kubeConfig.makeApiClient(type)`, with every request aborted after `timeoutMs`, and every write
 * checked by `guard` (when given) just before it is sent. Watches are not made through these clients
 * (they are long-lived by design).
 */
export function makeTimedApiClient<T>(
  kubeConfig: KubeConfig,
  apiClientType: new (config: Configuration) => T,
  timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  guard?: () => void,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No active cluster!');
  return new apiClientType(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      middleware: [timeoutMiddleware(timeoutMs), ...(guard ? [guardMiddleware(guard)] : [])],
    }),
  );
}

/*
 * The child side of client-node.ts: runs @kubernetes/client-node in a plain Node process (started
 * as `node --import tsx client-node-child.ts KUBECONFIG`) and serves the jest side over IPC.
 * Nothing here judges results: it calls client-node and reports what it returned, threw or
 * called back, so that the assertions stay in the spec.
 */
import { PassThrough, Readable } from 'node:stream';
import type * as K from '@kubernetes/client-node';
import { decode, encode, type ApiName, type ChildMessage, type ChildRequest, type ErrorInfo, type InformerVerb, type Ref } from './client-node';

async function main(): Promise<void> {
  // A real import(): tsx leaves it as one, and on Node ≥ 20.19 even a require would load ESM.
  const k: typeof K = await import('@kubernetes/client-node');
  const kc = new k.KubeConfig();
  kc.loadFromFile(process.argv[2]);
  const apis: Record<ApiName, object> = {
    CoreV1Api: kc.makeApiClient(k.CoreV1Api),
    AppsV1Api: kc.makeApiClient(k.AppsV1Api),
    // makeApiClient of KubernetesObjectApi itself also takes the context's default namespace.
    KubernetesObjectApi: k.KubernetesObjectApi.makeApiClient(kc),
  };

  const resolveRef = (ref: Ref): unknown => {
    if ('$patchStrategy' in ref) return k.PatchStrategy[ref.$patchStrategy];
    const [key, value] = ref.$setHeaderOptions;
    return k.setHeaderOptions(key, typeof value === 'string' ? value : String(resolveRef(value)));
  };
  // After the jest side has gone, late callbacks (a watch ending) have no one to tell.
  const send = (m: ChildMessage): void => void (process.connected && process.send?.(m));
  const errorInfo = (err: unknown): ErrorInfo => {
    const e = err as { name?: string; message?: string; code?: unknown; body?: unknown; headers?: Record<string, string>; statusCode?: number };
    const api = err instanceof k.ApiException;
    return {
      name: api ? 'ApiException' : (e?.name ?? typeof err),
      message: String(e?.message ?? err),
      apiException: api,
      ...(api ? { code: Number(e.code), body: e.body, headers: e.headers } : {}),
      ...(typeof e?.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    };
  };
  const call = (api: ApiName, method: string, argsText: string): Promise<unknown> => {
    const target = apis[api] as Record<string, unknown>;
    const fn = target[method];
    if (typeof fn !== 'function') throw new Error(`${api} has no method ${method}`);
    const args = decode(argsText, resolveRef) as unknown[];
    return (fn as (...a: unknown[]) => Promise<unknown>).apply(target, args);
  };

  const watches = new Map<number, AbortController>();
  const informers = new Map<number, K.Informer<K.KubernetesObject> & K.ObjectCache<K.KubernetesObject>>();

  const handle = async (req: ChildRequest): Promise<string | undefined> => {
    switch (req.op) {
      case 'call':
        return encode(await call(req.api, req.method, req.args));
      case 'watch': {
        const h = req.handle;
        const controller = await new k.Watch(kc).watch(
          req.path,
          req.query,
          (type, object) => send({ push: 'watch', handle: h, type, object: encode(object) }),
          (err) => send({ push: 'watch-done', handle: h, error: err ? errorInfo(err) : null }),
        );
        watches.set(h, controller);
        return undefined;
      }
      case 'watch-abort':
        watches.get(req.handle)?.abort();
        watches.delete(req.handle);
        return undefined;
      case 'informer': {
        const h = req.handle;
        const { api, method, args } = req.list;
        const informer = k.makeInformer(kc, req.path, () => call(api, method, args) as Promise<K.KubernetesListObject<K.KubernetesObject>>, req.labelSelector);
        const report = (verb: InformerVerb) => (object: K.KubernetesObject) => send({ push: 'informer', handle: h, verb, object: encode(object) });
        informer.on('add', report('add'));
        informer.on('update', report('update'));
        informer.on('delete', report('delete'));
        informer.on('connect', () => send({ push: 'informer', handle: h, verb: 'connect' }));
        informer.on('error', (err?: unknown) => send({ push: 'informer', handle: h, verb: 'error', error: err === undefined ? null : errorInfo(err) }));
        informers.set(h, informer);
        return undefined;
      }
      case 'informer-start':
        await informers.get(req.handle)?.start();
        return undefined;
      case 'informer-stop':
        await informers.get(req.handle)?.stop();
        return undefined;
      case 'informer-list':
        return encode((informers.get(req.handle)?.list() ?? []).map((o) => o.metadata?.name ?? ''));
      case 'informer-rv': {
        // makeInformer's type hides it, but what it returns is a ListWatch.
        const informer = informers.get(req.handle) as unknown as K.ListWatch<K.KubernetesObject> | undefined;
        return informer?.latestResourceVersion() ?? '';
      }
      case 'loadAllYaml':
        return encode(k.loadAllYaml(req.text));
      case 'exec': {
        const { namespace, pod, container } = req.target;
        const [stdout, stderr] = [collector(), collector()];
        const stdin = req.stdin === undefined ? null : Readable.from([Buffer.from(req.stdin)]);
        const status = await new Promise<K.V1Status | undefined>((ok, fail) => {
          new k.Exec(kc).exec(namespace, pod, container, [...req.command], stdout.stream, stderr.stream, stdin, req.tty, (s) => ok(s))
            .then((ws) => ws.on('close', () => ok(undefined)), fail);
        });
        return encode({ stdout: stdout.text(), stderr: stderr.text(), ...(status ? { status } : {}) });
      }
      case 'log': {
        const { namespace, pod, container } = req.target;
        const out = collector();
        const ended = new Promise((ok) => out.stream.on('finish', ok));
        await new k.Log(kc).log(namespace, pod, container, out.stream, req.options as K.LogOptions);
        await ended;
        return encode(out.text());
      }
    }
  };

  process.on('message', (raw) => {
    const req = raw as ChildRequest;
    handle(req).then(
      (value) => send({ reply: req.id, ok: true, ...(value === undefined ? {} : { value }) }),
      (err: unknown) => send({ reply: req.id, ok: false, error: errorInfo(err) }),
    );
  });
  // The jest side closes the channel to stop us; open watches and keep-alive sockets must not keep us.
  process.on('disconnect', () => process.exit(0));
}

/** A writable that keeps what is written, as text. */
function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, text: () => text };
}

main().catch((err: unknown) => {
  process.stderr.write(`client-node child failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});

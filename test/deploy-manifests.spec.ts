import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { EnvironmentVariables } from '../src/config/env.validation';

const ROOT = join(__dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
type Doc = { kind: string; metadata: { name: string }; spec: any; data?: Record<string, string>; stringData?: Record<string, string> };

const manifests = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const docsByFile = manifests.map((file) => ({
  file,
  docs: parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8')).map((d) => d.toJS() as Doc & { apiVersion: string }),
}));
const docs: Doc[] = docsByFile.flatMap((f) => f.docs);

/**
 * The Kubernetes API's own schema for each kind in deploy/ (from kubernetes-models, generated from the
 * API's OpenAPI spec), so the manifests are checked on every run without a cluster or kubectl.
 */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
};
/** Why `doc` is not a valid object of its kind, or undefined when it is. */
function schemaProblem(doc: { apiVersion: string; kind: string }): string | undefined {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) return `no schema for ${doc.apiVersion} ${doc.kind}: add its kubernetes-models class to MODELS`;
  try {
    new Model(doc as never).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
const one = (kind: string) => {
  const found = docs.filter((d) => d.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('Kubernetes manifests (deploy/)', () => {
  const deployment = () => one('Deployment');
  const container = () => deployment().spec.template.spec.containers[0];

  it('probes the health endpoints on the container port', () => {
    const c = container();
    const port = c.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(3000);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
  });

  it('sets resource requests and limits and a non-root, read-only security context', () => {
    const c = container();
    expect(c.resources.requests).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
    expect(c.resources.limits).toEqual(expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }));
    expect(deployment().spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('gives the pod more time than the graceful shutdown needs', () => {
    const grace = Number(one('ConfigMap').data!.SHUTDOWN_GRACE_MS) / 1000;
    expect(deployment().spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(grace + 5);
  });

  it('wires the ConfigMap and Secret that exist, with only known variables', () => {
    const refs = container().envFrom;
    expect(refs).toEqual([{ configMapRef: { name: one('ConfigMap').metadata.name } }, { secretRef: { name: one('Secret').metadata.name } }]);
    const known = new Set([
      ...Object.keys(new EnvironmentVariables()),
      'INTEGRATION_APP_WORKSPACE_KEY',
      'INTEGRATION_APP_WORKSPACE_SECRET',
      'REDIS_URL',
      'ALLOWED_ORIGINS',
      'METRICS_TOKEN',
    ]);
    for (const key of [...Object.keys(one('ConfigMap').data!), ...Object.keys(one('Secret').stringData!)]) expect(known).toContain(key);
  });

  it('selects the pods from the Service, HPA and PDB', () => {
    const labels = deployment().spec.template.metadata.labels;
    expect(deployment().spec.selector.matchLabels).toEqual(labels);
    const service = one('Service');
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(one('HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment().metadata.name });
    expect(one('PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels);
  });

  it('validates every manifest (examples included) against the Kubernetes API schema of its kind', () => {
    const problems = docsByFile.flatMap(({ file, docs: inFile }) => inFile.map((d) => [file, d.kind, schemaProblem(d)]).filter(([, , problem]) => problem));
    expect(problems).toEqual([]);
  });

  it('has a schema check that rejects a broken manifest (so the check above cannot pass by accident)', () => {
    const broken = structuredClone(deployment()) as Doc & { apiVersion: string };
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    delete broken.spec.selector;
    const problem = schemaProblem(broken);
    expect(problem).toContain('containerPort must be integer');
    expect(problem).toContain('spec must have required property selector');
  });

  it('lists in kustomization.yaml exactly the manifests to apply (all but the examples), each of which exists', () => {
    const kustomization = parse(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8')) as Record<string, unknown> & { resources: string[] };
    expect(kustomization).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' });
    // Only `resources` is used; a patch, generator or transformer added later needs a check of its own here.
    expect(Object.keys(kustomization).sort()).toEqual(['apiVersion', 'kind', 'resources']);
    for (const resource of kustomization.resources) expect(existsSync(join(DEPLOY, resource))).toBe(true);
    expect([...kustomization.resources].sort()).toEqual(manifests.filter((f) => !f.endsWith('.example.yaml')).sort());
  });
});

describe('Docker image definition (docker/Dockerfile)', () => {
  const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
  const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('is multi-stage, non-root, health-checked and runs node dist/main.js', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^USER (1000|node)/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/health\/live/m);
    expect(dockerfile).toContain('CMD ["node", "dist/main.js"]');
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('does not ignore anything it copies from the build context', () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src']));
    for (const path of copied) expect(dockerignore).not.toContain(path);
  });
});

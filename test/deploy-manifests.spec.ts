import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { EnvironmentVariables } from '../src/config/env.validation';

const ROOT = join(__dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
type Doc = { kind: string; metadata: { name: string }; spec: any; data?: Record<string, string>; stringData?: Record<string, string> };

const docs: Doc[] = readdirSync(DEPLOY)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(readFileSync(join(DEPLOY, f), 'utf8')).map((d) => d.toJS() as Doc));
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
    const known = new Set([...Object.keys(new EnvironmentVariables()), 'INTEGRATION_APP_WORKSPACE_KEY', 'INTEGRATION_APP_WORKSPACE_SECRET', 'REDIS_URL', 'ALLOWED_ORIGINS', 'METRICS_TOKEN']);
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

  it('renders with kubectl kustomize when kubectl is installed', () => {
    const which = spawnSync('sh', ['-c', 'command -v kubectl']);
    if (which.status !== 0) {
      process.stdout.write('kubectl not installed: kustomize rendering not checked\n');
      return;
    }
    const out = execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' });
    expect(out).toContain('kind: Deployment');
  });
});

describe('Docker image definition (docker/Dockerfile)', () => {
  const dockerfile = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
  const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

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

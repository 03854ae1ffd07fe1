import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { REPO } from './binaries.js';
import { testCluster } from './cluster.js';
import { renderChart } from './chart.js';

// `tilt up` needs Docker and a kind/k3d cluster, neither of which runs here. The Tiltfile is
// evaluated by a FAKE Tilt (go/tiltfile: go.starlark.net, the Starlark Tilt is built on, with the
// Tilt builtins recorded instead of run), and what it asks for is checked against the repository:
// images the chart's dev values use, Dockerfile targets and paths, workloads the chart renders,
// ports the pods expose, npm scripts that exist.

interface TiltCall {
  fn: string;
  args: any[];
  kwargs: Record<string, any>;
}

const cluster = testCluster();
let calls: TiltCall[] = [];
const called = (fn: string) => calls.filter((c) => c.fn === fn);

beforeAll(() => {
  const bin = join(mkdtempSync(join(tmpdir(), 'tiltfile-check-')), 'tiltfile-check');
  execFileSync('go', ['build', '-o', bin, '.'], {
    cwd: join(REPO, 'test/cluster/go/tiltfile'),
    stdio: 'pipe',
  });
  calls = JSON.parse(execFileSync(bin, [join(REPO, 'Tiltfile')]).toString()) as TiltCall[];
}, 180_000);

/** The Dockerfile's stages: name → its base stage and what it COPYs from the context. */
function dockerStages(dockerfile: string): Map<string, { from: string; copies: string[] }> {
  const stages = new Map<string, { from: string; copies: string[] }>();
  let current: { from: string; copies: string[] } | undefined;
  for (const line of dockerfile.split('\n')) {
    const stage = /^FROM (\S+) AS (\S+)$/.exec(line);
    if (stage) {
      current = { from: stage[1]!, copies: [] };
      stages.set(stage[2]!, current);
      continue;
    }
    const copy = /^COPY (?!.*--from=)(?:--chown=\S+ )?(\S+) \S+$/.exec(line);
    if (copy && current) current.copies.push(copy[1]!);
  }
  return stages;
}

/** Everything a stage and the stages it is built on copy from the build context. */
function stageCopies(stages: Map<string, { from: string; copies: string[] }>, name: string): Set<string> {
  const copies = new Set<string>();
  for (let stage = stages.get(name); stage; stage = stages.get(stage.from))
    for (const path of stage.copies) copies.add(path);
  return copies;
}

describe('the Tiltfile', () => {
  const chartCall = () => {
    const [call] = called('helm');
    return {
      chart: call!.args[0] as string,
      release: call!.kwargs.name as string,
      namespace: call!.kwargs.namespace as string,
      values: call!.kwargs.values as string[],
    };
  };
  const rendered = () => {
    const { values, namespace, release } = chartCall();
    return renderChart(cluster.helm, { release, namespace, valuesFiles: values.map((v) => join(REPO, v)) })
      .objects;
  };

  it('installs Agones with helm_resource, watching the namespace it deploys the chart to', () => {
    const [agones] = called('helm_resource');
    expect(agones!.args).toEqual(['agones', 'agones-charts/agones']);
    expect(agones!.kwargs.flags).toContain(`--set=gameservers.namespaces={${chartCall().namespace}}`);
    expect(agones!.kwargs.flags.find((f: string) => f.startsWith('--version='))).toMatch(
      /^--version=1\.60\./,
    );
    expect(called('namespace_create')[0]!.args).toEqual([chartCall().namespace]);
  });

  it('builds the images the dev values deploy, from Dockerfiles with a dev target', () => {
    const values = yaml.load(readFileSync(join(REPO, chartCall().values[0]!), 'utf8')) as any;
    const builds = called('docker_build_with_restart');
    expect(builds.map((b) => b.args[0]).sort()).toEqual(
      [values.images.gameServer.repository, values.images.operator.repository].sort(),
    );
    for (const build of builds) {
      const dockerfile = readFileSync(join(REPO, build.kwargs.dockerfile), 'utf8');
      expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${build.kwargs.target}$`, 'm'));
      // The restart wrapper runs the same command as the image.
      expect(dockerfile).toContain(`CMD ${JSON.stringify(build.kwargs.entrypoint).replace(/,/g, ', ')}`);
      for (const path of build.kwargs.only as string[])
        expect({ path, exists: existsSync(join(REPO, path)) }).toEqual({ path, exists: true });
      // Every synced folder is compiled output the dev image holds at the same place.
      const stages = dockerStages(dockerfile);
      for (const step of build.kwargs.live_update.filter((s: any) => s.fn === 'sync')) {
        const [from, to] = [step.arg0 as string, step.arg1 as string];
        expect(existsSync(join(REPO, from))).toBe(true);
        expect(to).toBe(`/app/${from}`);
        expect({ from, copied: stageCopies(stages, build.kwargs.target).has(from) }).toEqual({
          from,
          copied: true,
        });
      }
    }
  });

  it('syncs what it watches: a source edit never rebuilds an image, compiled output is synced', () => {
    for (const build of called('docker_build_with_restart')) {
      const steps = build.kwargs.live_update as Array<{ fn: string; arg0: string | string[] }>;
      const synced = steps.filter((s) => s.fn === 'sync').map((s) => s.arg0 as string);
      const fallBack = new Set(steps.filter((s) => s.fn === 'fall_back_on').flatMap((s) => s.arg0));
      // Tilt rebuilds the image for any change in the build context that no sync step covers: so
      // every path of the context is synced, or is a manifest that must rebuild (dependencies).
      for (const path of build.kwargs.only as string[]) {
        const covered = synced.some((s) => path === s || path.startsWith(`${s}/`));
        expect({
          path,
          covered: covered || (fallBack.has(path) && /package(-lock)?\.json$/.test(path)),
        }).toEqual({
          path,
          covered: true,
        });
      }
      // No TypeScript source is in the context: `tsc --watch` on the host compiles it.
      for (const path of build.kwargs.only as string[])
        expect({
          path,
          source: /(^|\/)src(\/|$)|\.ts$/.test(path) || !/(\/dist$|package(-lock)?\.json$)/.test(path),
        }).toEqual({
          path,
          source: false,
        });
    }
    // The images are built after the compile that fills dist/.
    for (const resource of called('k8s_resource').filter((r) => /operator|gameserver/.test(r.args[0])))
      expect(resource.kwargs.resource_deps).toContain('tsc');
  });

  it('puts its images into the Fleets through k8s_kind, where the chart renders them', () => {
    const fleetKind = called('k8s_kind').find((k) => k.args[0] === 'Fleet')!;
    expect(fleetKind.kwargs.image_json_path).toBe('{.spec.template.spec.template.spec.containers[*].image}');
    const fleets = rendered().filter((o) => o.kind === 'Fleet');
    expect(fleets.length).toBeGreaterThan(0);
    for (const fleet of fleets)
      expect(fleet.spec.template.spec.template.spec.containers[0].image).toBe('gamebuddies-gameserver:dev');
  });

  it('names only workloads the chart renders, and forwards ports their pods expose', () => {
    const objects = rendered();
    const workloads = new Map(
      objects
        .filter((o) => ['Deployment', 'StatefulSet', 'Fleet'].includes(o.kind))
        .map((o) => [o.metadata.name, o]),
    );
    const resources = called('k8s_resource');
    expect(resources.length).toBe(workloads.size);
    for (const resource of resources) {
      const workload = workloads.get(resource.args[0]);
      expect({ resource: resource.args[0], rendered: !!workload }).toEqual({
        resource: resource.args[0],
        rendered: true,
      });
      const pod =
        workload!.kind === 'Fleet'
          ? workload!.spec.template.spec.template.spec
          : workload!.spec.template.spec;
      const ports = new Set(
        workload!.kind === 'Fleet'
          ? workload!.spec.template.spec.ports.map((p: any) => p.containerPort)
          : pod.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort)),
      );
      for (const forward of (resource.kwargs.port_forwards ?? []) as string[])
        expect({ forward, exposed: ports.has(Number(forward.split(':')[1])) }).toEqual({
          forward,
          exposed: true,
        });
    }
  });

  it('runs npm scripts that exist', () => {
    const scripts = (
      JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    for (const resource of called('local_resource')) {
      for (const cmd of [resource.kwargs.cmd, resource.kwargs.serve_cmd].filter(Boolean) as string[]) {
        const script = /^npm run (\S+)/.exec(cmd)?.[1];
        expect({ cmd, defined: !!script && script in scripts }).toEqual({ cmd, defined: true });
      }
    }
  });
});

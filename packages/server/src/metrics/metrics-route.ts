/**
 * `GET /metrics`: the Prometheus text exposition. Unauthenticated, as scrapers expect: the counts name
 * buses, rules and target ids but carry no event data. Restrict who can reach it at the network level
 * when that matters (docs/metrics.md).
 */
import type { FastifyInstance } from 'fastify';
import type { BuswayMetrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export function registerMetricsRoute(http: FastifyInstance, metrics: BuswayMetrics): void {
  http.get(METRICS_PATH, async (_request, reply) => {
    const text = await metrics.render();
    return reply.code(200).header('content-type', metrics.contentType).send(text);
  });
}

/**
 * A healthy container (docs/glossary.md), the only kind that gets traffic:
 * running, and healthy or without a healthcheck (then running is all Docker
 * can tell). One predicate for the
 * rollback plan, status and reconcile.
 */
export function isHealthy(container: { state: string; health: string }): boolean {
  return container.state === 'running' && (container.health === 'healthy' || container.health === 'none');
}

import { findAffinityConflicts } from '@niyanta/affinity';
import { DomainError, ErrorCode, type AffinityRules, type ErrorDetail } from '@niyanta/models';

/**
 * Rejects affinity rules that contradict themselves (`@niyanta/affinity` `findAffinityConflicts`):
 * a tag both required and anti could never be placed, and a preferred tag that is also anti or
 * differs from the required value could never count. Such a submission is a mistake, so it is a
 * `400 validation_failed` naming `<prefix>.affinity.<section>.<tag>` rather than a workload that
 * waits forever.
 */
export function assertConsistentAffinity(
  items: ReadonlyArray<{ affinity?: Partial<AffinityRules> }>,
  prefix: (index: number) => string,
): void {
  const details: ErrorDetail[] = [];
  items.forEach((item, index) => {
    if (!item.affinity) return;
    for (const conflict of findAffinityConflicts(item.affinity)) {
      details.push({ path: `${prefix(index)}affinity.${conflict.section}.${conflict.tag}`, message: conflict.message });
    }
  });
  if (details.length > 0) {
    throw new DomainError(ErrorCode.ValidationFailed, `affinity rules contradict each other: ${details[0]?.message}`, details);
  }
}

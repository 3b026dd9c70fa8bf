/**
 * Rebuilds an object's ACL exactly: every privilege the new object may have been given (the
 * creator's default privileges, the replacement's own grants, the owner's implicit ones) is
 * revoked, then the captured privileges are granted again — with their grant options, to PUBLIC
 * as well, per column, and in the grantor's name when someone other than the owner granted them.
 */
import type { QualifiedName } from '../../sql/identifier.js';
import type { Acl, ColumnAcl, Privilege } from './types.js';
import { aclObject, grant, revokeAll, setLocalRole, type RelationKind } from './swap-sql.js';

export interface AclRebuild {
  readonly kind: RelationKind;
  readonly relation: QualifiedName;
  /** Owner of the object once the swap re-owned it. */
  readonly owner: string;
  /** The role running the swap (grants in another grantor's name switch back to it). */
  readonly sessionUser: string;
  /** What the object must end with. */
  readonly desired: Acl;
  /** Column privileges it must end with (only columns the object has). */
  readonly desiredColumns: readonly ColumnAcl[];
  /** Whether the object's ACL is still the built-in default right now (after its owner was set). */
  readonly currentIsDefault: boolean;
  /** Roles that may hold privileges on the object right now (`null`: PUBLIC). */
  readonly currentGrantees: readonly (string | null)[];
  /** Columns that may hold column privileges right now, with the roles holding them. */
  readonly currentColumns: readonly { column: string; grantees: readonly (string | null)[] }[];
}

/** The statements that turn the object's current ACL into the desired one (none when both are the default). */
export function aclStatements(rebuild: AclRebuild): string[] {
  const object = aclObject(rebuild.kind, rebuild.relation);
  const statements: string[] = [];
  if (!(rebuild.desired.isDefault && rebuild.currentIsDefault)) {
    const roles = unique([null, rebuild.owner, rebuild.sessionUser, ...rebuild.currentGrantees, ...rebuild.desired.privileges.map((p) => p.grantee)]);
    statements.push(revokeAll(object, roles));
  }
  for (const { column, grantees } of rebuild.currentColumns) {
    if (grantees.length > 0) statements.push(revokeAll(object, unique(grantees), [column]));
  }
  const items: Grantable[] = [
    ...(rebuild.desired.isDefault && rebuild.currentIsDefault ? [] : rebuild.desired.privileges.map((p) => ({ ...p, column: undefined }))),
    ...rebuild.desiredColumns.flatMap(({ column, privileges }) => privileges.map((p) => ({ ...p, column }))),
  ];
  for (const batch of grantOrder(items, rebuild.owner)) {
    const asOther = batch.grantor !== rebuild.owner;
    if (asOther) statements.push(setLocalRole(batch.grantor));
    for (const group of groupGrants(batch.items)) statements.push(grant(object, group.privileges, group.grantee, group.grantable));
    if (asOther) statements.push(setLocalRole(rebuild.sessionUser));
  }
  return statements;
}

type Grantable = Privilege & { readonly column: string | undefined };

/**
 * Grants by the owner first, then grants by other grantors, each once its grantor holds the grant
 * option it needs (granted earlier in the list); whatever cannot be ordered comes last.
 */
function grantOrder(items: readonly Grantable[], owner: string): { grantor: string; items: Grantable[] }[] {
  const batches: { grantor: string; items: Grantable[] }[] = [];
  const held = new Set<string>();
  const holds = (role: string, p: Grantable) => held.has(JSON.stringify([role, p.privilege, p.column ?? null]));
  const record = (p: Grantable) => {
    if (p.grantable && p.grantee !== null) held.add(JSON.stringify([p.grantee, p.privilege, p.column ?? null]));
    if (p.grantable && p.grantee !== null && p.column === undefined) held.add(JSON.stringify([p.grantee, p.privilege, null]));
  };
  let pending = [...items];
  const byOwner = pending.filter((p) => p.grantor === owner);
  if (byOwner.length > 0) batches.push({ grantor: owner, items: byOwner });
  byOwner.forEach(record);
  pending = pending.filter((p) => p.grantor !== owner);
  while (pending.length > 0) {
    const ready = pending.filter((p) => holds(p.grantor, p) || (p.column !== undefined && held.has(JSON.stringify([p.grantor, p.privilege, null]))));
    const next = ready.length > 0 ? ready : pending;
    const grantors = unique(next.map((p) => p.grantor)) as string[];
    for (const grantor of grantors) {
      const mine = next.filter((p) => p.grantor === grantor);
      batches.push({ grantor, items: mine });
      mine.forEach(record);
    }
    pending = pending.filter((p) => !next.includes(p));
  }
  return batches;
}

/** One GRANT per grantee and grant option, listing its privileges (and their columns). */
function groupGrants(items: readonly Grantable[]): {
  grantee: string | null;
  grantable: boolean;
  privileges: { privilege: string; columns?: string[] }[];
}[] {
  const groups = new Map<string, { grantee: string | null; grantable: boolean; privileges: { privilege: string; columns?: string[] }[] }>();
  for (const item of items) {
    const id = JSON.stringify([item.grantee, item.grantable]);
    let group = groups.get(id);
    if (group === undefined) {
      group = { grantee: item.grantee, grantable: item.grantable, privileges: [] };
      groups.set(id, group);
    }
    if (item.column === undefined) {
      group.privileges.push({ privilege: item.privilege });
    } else {
      const existing = group.privileges.find((p) => p.privilege === item.privilege && p.columns !== undefined);
      if (existing?.columns !== undefined) existing.columns.push(item.column);
      else group.privileges.push({ privilege: item.privilege, columns: [item.column] });
    }
  }
  return [...groups.values()];
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

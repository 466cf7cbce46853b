/** Every monitored router's RIB, by identity (source address + the router's own BGP ID once known), and the shared, interned attribute summaries their routes point to. */
import { type Attributes, RouterRib } from './router-rib.js';

/** Interned summaries kept at most (when full the table starts over, which only costs sharing). */
const MAX_INTERNED = 100_000;

export class CollectorState<A extends Attributes> {
  readonly routers = new Map<string, RouterRib<A>>();
  private readonly interned = new Map<string, A>();

  routeCount(): number {
    let n = 0;
    for (const r of this.routers.values()) n += r.routeCount();
    return n;
  }

  /** The one summary of attributes with this key: equal attributes of many UPDATEs share one object. */
  intern(key: string, make: () => A): A {
    const known = this.interned.get(key);
    if (known !== undefined) return known;
    if (this.interned.size >= MAX_INTERNED) this.interned.clear();
    const a = make();
    this.interned.set(key, a);
    return a;
  }

  /** The RIB of a router, created (and registered) when it is new. */
  router(id: string, address: string): RouterRib<A> {
    let r = this.routers.get(id);
    if (!r) this.routers.set(id, (r = new RouterRib<A>(id, address)));
    return r;
  }
}

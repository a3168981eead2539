// Physical SPIs given to a domain (xen/arch/arm/irq.c route_irq_to_guest, do_IRQ's guest path;
// gic.c gic_route_irq_to_guest): the host GIC routes the SPI to the pCPU of the vCPU it goes to
// and enables it; when it fires, the hypervisor acknowledges it, drops the priority only
// (EOImode 1) and makes the virtual SPI pending in the domain's vGIC, whose list register
// carries HW = 1 with the physical INTID: the guest's EOI deactivates the physical interrupt
// (GICv3 §6.1.2), so a level-high device line cannot fire again before the guest has handled it.
// The virtual INTID is the physical one, as Xen gives dom0 and dom0less passthrough devices.
import type { Xen } from './xen.js';
import type { Domain } from './domain/domain.js';
import { domName } from './domain/domain.js';
import { panic } from './panic.js';
import { gicDisableSpi, gicEoi, gicEoiGuest, gicRouteSpi } from './gic/gicV3.js';

interface GuestIrq {
  d: Domain;
  virq: number;
}
const routes = new WeakMap<Xen, Map<number, GuestIrq>>();

/** route_irq_to_guest(d, virq = irq, irq): the SPI to vCPU 0's pCPU, backed by a HW = 1 LR. */
export function routeIrqToGuest(xen: Xen, d: Domain, irq: number): void {
  const gic = xen.gic;
  const g = d.vgic;
  if (!gic || !g) panic(`${domName(d)}: IRQ ${irq} routed before the GIC and the vGIC are up`);
  if (irq < 32 || g.irq(0, irq) === null) panic(`${domName(d)}: IRQ ${irq} is not an SPI of its vGIC`);
  let m = routes.get(xen);
  if (!m) routes.set(xen, (m = new Map()));
  const other = m.get(irq);
  if (other) panic(`${domName(d)}: IRQ ${irq} is already used by domain ${other.d.id}`);
  if (g.hw.has(irq)) panic(`${domName(d)}: vIRQ ${irq} is already in use`);
  g.hw.set(irq, irq);
  m.set(irq, { d, virq: irq });
  gicRouteSpi(xen, gic, irq, d.vcpus[0].processor);
}

/** The SPIs routed to `d` (tests, the log). */
export function guestIrqs(xen: Xen, d: Domain): number[] {
  return [...(routes.get(xen) ?? [])].filter(([, r]) => r.d === d).map(([irq]) => irq);
}

/**
 * do_IRQ for an interrupt routed to a guest (false: not one). A domain that is gone gets its
 * interrupt deactivated and disabled (Xen releases it when the domain is destroyed).
 */
export function doGuestIrq(xen: Xen, irq: number): boolean {
  const r = routes.get(xen)?.get(irq);
  if (!r) return false;
  if (r.d.state !== 'running' || !r.d.vgic) {
    gicDisableSpi(xen, xen.gic!, irq);
    gicEoi(xen, irq);
    return true;
  }
  gicEoiGuest(xen, irq);
  r.d.vgic.injectIrq(0, r.virq);
  return true;
}

/**
 * The life of a reward order, as a table: which step may follow which, for which kind of reward.
 * Goods and seats are approved, then shipped (or handed over) and delivered; codes, donations,
 * cashback and content are issued. Points and stock go back only from the states before fulfilment.
 */
import type { OrderState, RewardType } from '../db/schema.js';

export type OrderAction = 'approve' | 'reject' | 'ship' | 'deliver' | 'issue' | 'cancel';

export const actionTarget: Record<OrderAction, OrderState> = {
  approve: 'approved',
  reject: 'rejected',
  ship: 'shipped',
  deliver: 'delivered',
  issue: 'issued',
  cancel: 'cancelled',
};

const shipped: RewardType[] = ['physical', 'experience'];
/** Issued by Lojal itself the moment the order is approved: nothing for a person to do. */
export const issuedAutomatically: RewardType[] = ['code', 'charity', 'cashback'];

/** May an order of this reward type in state `from` take `action`? */
export function canTake(type: RewardType, from: OrderState, action: OrderAction): boolean {
  switch (action) {
    case 'approve':
    case 'reject':
      return action === 'approve' ? from === 'pending_approval' || from === 'placed' : from === 'pending_approval';
    case 'cancel':
      return from === 'pending_approval' || from === 'placed' || from === 'approved';
    case 'ship':
      return shipped.includes(type) && from === 'approved';
    case 'deliver':
      // Goods picked up at the branch counter are delivered without being shipped.
      return shipped.includes(type) && (from === 'approved' || from === 'shipped');
    case 'issue':
      return !shipped.includes(type) && from === 'approved';
  }
}

/** States from which the points and the stock are given back. */
export const releasing: OrderAction[] = ['reject', 'cancel'];

export const finalStates: OrderState[] = ['delivered', 'issued', 'cancelled', 'rejected'];

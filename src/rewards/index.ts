export { createReward, findReward, getReward, listRewards, rewardCreateSchema, rewardPatchSchema, updateReward, type Reward } from './catalogue.js';
export { importCodes } from './issuing.js';
export { getOrder, listOrders, placeOrder, transition, type RewardOrder } from './orders.js';

export { planSwap } from './plan.js';
export { executeSwap, type ExecuteSwapOptions, type SwapResult } from './execute.js';
export { buildSwapStatements, type SwapStatement, type SwapStep } from './statements.js';
export {
  DependentViewBrokenError,
  SwapBlockedError,
  SwapConcurrentChangeError,
  SwapOutsideTransactionError,
  SwapTableMissingError,
  type BrokenView,
  type SwapObstacle,
  type SwapObstacleKind,
} from './errors.js';
export type { SwapPlan, SwapRequest, CapturedView, CapturedTable, CapturedReplacement, NotCarried } from './types.js';

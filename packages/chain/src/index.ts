export {
  ChainError,
  type ChainErrorCode,
  type ChainErrorJson,
  type ChainErrorMeta,
  type ScriptFailure,
} from './errors.js';
export { evalScript, type ScriptChecker, type SigVersion } from './script/interpreter.js';
export {
  type SpentOutput,
  TransactionChecker,
  verifyInput,
  verifyTransactionScripts,
} from './script/verify.js';

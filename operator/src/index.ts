export { startOperator, loadKubeConfig, type RunningOperator } from './operator.js';
export { loadOperatorConfig, type OperatorConfig } from './config.js';
export * from './crd/gameRoom.generated.js';
export { gameRoomName } from './api/kubernetesBackend.js';

import { describeRoomsApiContract, CONTRACT_API_KEYS } from '../api/roomsApiContract.js';
import { startTestServer } from '../helpers/testServer.js';

describeRoomsApiContract('single process', async () => {
  const server = await startTestServer({ API_KEYS: CONTRACT_API_KEYS, JOIN_FAILURES_PER_MINUTE: '1000' });
  return { baseUrl: server.url, stop: () => server.stop() };
});

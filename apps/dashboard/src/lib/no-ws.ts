// Stands in for the Node `ws` package in the browser bundle: the dashboard never calls the SDK's
// Node stream helper (it uses the browser's WebSocket in live.ts).
export default class NoWebSocket {
  constructor() {
    throw new Error('the SDK stream helper needs Node; the dashboard uses the browser WebSocket');
  }
}

// Preloaded with `node --require loopback.cjs`: every TCP net.Server listens on 127.0.0.1 only.
// server-everything listens on all interfaces and has no host option; this keeps it on loopback.
// Covers listen(), listen(port[, host][, backlog][, cb]) and listen({port, host, ...});
// a Unix socket path, a named pipe or an inherited handle/fd is left alone.
'use strict';
const net = require('net');

const LOOPBACK = '127.0.0.1';
const listen = net.Server.prototype.listen;

function isPort(value) {
  return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value));
}

net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (args.length === 0 || typeof first === 'function') {
    args.unshift(0, LOOPBACK);
  } else if (isPort(first)) {
    if (typeof args[1] === 'string') args[1] = LOOPBACK;
    else args.splice(1, 0, LOOPBACK);
  } else if (first && typeof first === 'object' && !('path' in first || 'fd' in first || 'handle' in first
             || '_handle' in first)) {
    args[0] = { ...first, host: LOOPBACK };
  }
  return listen.apply(this, args);
};

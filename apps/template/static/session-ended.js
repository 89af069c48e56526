// Tells the visitor when the app's session has ended, and offers a reload.
//
// The server shuts an app's kernel down after a while without use (or restarts); the
// page would then stay as it was and silently stop answering. This script watches the
// kernel's websocket: when it closes, it asks the server whether the kernel is still
// this visitor's, and if not, shows a notice with a reload button. It must load before
// Voila's code, which keeps the browser's WebSocket constructor when it starts.
(function () {
  "use strict";
  const NativeWebSocket = window.WebSocket;
  const CHANNELS = /\/api\/kernels\/[0-9a-f-]+\/channels/;
  // The close code the server sends when it shuts the kernel down (app_guard.py).
  const SESSION_ENDED = 4001;
  let shown = false;

  function showEnded() {
    if (shown) return;
    shown = true;
    const notice = document.createElement("div");
    notice.className = "al-session-ended";
    notice.setAttribute("role", "alert");
    const text = document.createElement("p");
    text.textContent =
      "This app's session has ended: it was left unused for a while, or the server " +
      "restarted. Reload the page to start again.";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload the app";
    button.addEventListener("click", () => window.location.reload());
    notice.append(text, button);
    document.body.prepend(notice);
    button.focus();
  }

  function checkKernel(url) {
    const kernel = url.replace(/^ws/, "http").replace(/\/channels(\?.*)?$/, "");
    fetch(kernel, { credentials: "same-origin" }).then(
      (answer) => answer.ok || showEnded(),
      showEnded,
    );
  }

  function WatchedWebSocket(url, protocols) {
    const socket =
      protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
    if (CHANNELS.test(String(url))) {
      socket.addEventListener("close", (event) => {
        if (event.code === SESSION_ENDED) {
          showEnded();
        } else {
          // Closed for another reason (the network?): Voila may reopen it at once, so
          // ask the server a moment later whether the kernel is still there.
          setTimeout(() => checkKernel(String(url)), 1500);
        }
      });
    }
    return socket;
  }
  WatchedWebSocket.prototype = NativeWebSocket.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) {
    WatchedWebSocket[name] = NativeWebSocket[name];
  }
  window.WebSocket = WatchedWebSocket;
})();

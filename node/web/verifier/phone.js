// The consumer page's in-browser check (node/web/verifier, served by the
// node at /verifier/phone.js). It verifies the bundle of the lot's latest
// record with the WebAssembly verifier (the code of `qian verify`) and
// shows the result as "verified on this phone" beside the server's own
// statement, saying which disagrees if they do. Without scripts the
// element stays hidden and the page is as the server rendered it.
//
// What it can and cannot catch (docs/verification.md §9): this script
// comes from the node being checked, so a hacked node could serve a lying
// one; it catches a node whose data is forged while its code is genuine.
// The genesis it checks against is the node's claim, held to the genesis
// hash the reader brings: ?genesis=HASH (printed on the label) or, else,
// the one this browser saw on its first visit to this node.
"use strict";
(async function () {
  const box = document.getElementById("phone-verify");
  if (!box) return;
  const say = (cls, zh, en) => {
    box.className = "phone " + cls;
    box.replaceChildren(document.createTextNode(zh + " "));
    const e = document.createElement("span");
    e.lang = "en";
    e.textContent = en;
    box.append(e);
  };
  box.hidden = false;
  say("pending", "正在本机核验…", "Verifying on this phone…");
  const done = (verified, agree, code) => {
    box.dataset.verified = String(verified);
    box.dataset.agree = String(agree);
    box.dataset.code = code || "";
  };
  // The node answered 410 ERR_PRUNED for the proof: the record is below
  // its first block (it started from a snapshot, or prunes old blocks).
  // Nothing is proven and nothing is forged: say so, and link the same
  // page on the archive nodes the server named (data-archive), which can
  // give the proof. It agrees with a server that said so (data-server
  // "pruned").
  const pruned = new Error("ERR_PRUNED");
  const unheld = () => {
    say("unheld", "本机无法核验：此节点不保存该记录所在的区块，无法提供证明。请在归档节点核验。",
      "Not checked on this phone: this node does not hold the block of this record, so it could not give a proof; check it on an archive node.");
    for (const a of (box.dataset.archive || "").split(" ").filter(Boolean)) {
      const link = document.createElement("a");
      link.href = a;
      link.rel = "nofollow";
      link.textContent = a;
      box.append(" ", link);
    }
    done(false, box.dataset.server === "pruned", "ERR_PRUNED");
  };
  try {
    await new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = "/verifier/wasm_exec.js";
      s.onload = resolve;
      s.onerror = () => reject(new Error("wasm_exec.js did not load"));
      document.head.append(s);
    });
    const text = async (u) => {
      const r = await fetch(u, { credentials: "omit" });
      if (r.status === 410) throw pruned;
      if (!r.ok) throw new Error(u + ": HTTP " + r.status);
      return r.text();
    };
    const [genesisHex, bundle] = await Promise.all([text("/verifier/genesis.hex"), text(box.dataset.proof)]);
    const ready = new Promise((resolve) => { globalThis.onQianVerifierReady = resolve; });
    const go = new Go();
    const { instance } = await WebAssembly.instantiateStreaming(fetch("/verifier/qian-verify.wasm"), go.importObject);
    go.run(instance);
    await ready;
    const chain = JSON.parse(qianVerifier.anchor(genesisHex.trim()));
    if (chain.error) throw new Error(chain.error);
    // The genesis hash the reader brings, else the first one seen here.
    const key = "qian-genesis:" + location.host;
    let want = new URLSearchParams(location.search).get("genesis") || "";
    try { want = want || localStorage.getItem(key) || ""; } catch (e) { /* storage off */ }
    if (want && want.toLowerCase() !== chain.genesis_hash) {
      say("bad", "✗ 本机核验：此节点的创世哈希与您持有的不符，它不是您要查的那条链。",
        "Not verified on this phone: this node's genesis hash " + chain.genesis_hash.slice(0, 16) + "… is not the " + want.slice(0, 16) + "… you hold; it is not the chain you meant to check.");
      return done(false, box.dataset.server !== "verified", "ERR_PROOF_CHAIN");
    }
    try { if (!want) localStorage.setItem(key, chain.genesis_hash); } catch (e) { /* storage off */ }
    const opts = box.dataset.event ? { event: box.dataset.event } : {};
    const v = JSON.parse(qianVerifier.verify(bundle, genesisHex.trim(), JSON.stringify(opts)));
    const server = box.dataset.server === "verified";
    if (v.verified) {
      const r = v.report;
      const sameBlock = String(r.height) === box.dataset.height;
      if (!server || !sameBlock) {
        say("bad", "⚠ 本机核验通过，但与服务器的说法不一致：区块 " + r.height + "。",
          "Verified on this phone, but the server's statement disagrees: this phone proves block " + r.height + ", " + r.signers.length + " of " + r.validators + " validators; the server said " + (server ? "block " + box.dataset.height : "verification failed") + ".");
        return done(true, false, "");
      }
      const orgs = [];
      for (const s of v.signers || []) if (s.org && !orgs.includes(s.org.name || s.org.id)) orgs.push(s.org.name || s.org.id);
      say("ok", "✓ 本机已验证：第 " + r.height + " 号区块，" + r.signers.length + "/" + r.validators + " 个验证节点签名（" + orgs.join("、") + "），与服务器一致。",
        "Verified on this phone: block " + r.height + ", signed by " + r.signers.length + " of " + r.validators + " validators; agrees with the server.");
      return done(true, true, "");
    }
    say("bad", "✗ 本机核验失败（" + v.code + "）：服务器的说法没有证明支持。",
      "Not verified on this phone (" + v.code + ": " + v.message + ")" + (server ? ": the server says verified, but the proof it serves does not prove it. Trust neither; check with a regulator's verifier page." : "; the server says so too."));
    done(false, !server, v.code);
  } catch (e) {
    if (e === pruned) return unheld();
    say("bad", "本机无法核验", "Could not verify on this phone: " + (e.message || e));
    done(false, false, "ERR_PAGE");
  }
})();

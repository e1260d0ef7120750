// The one-file verifier page's script (node/web/verifier). It fetches and
// shows; every check is the WebAssembly verifier's (cmd/qian-verify-wasm:
// node/verdict, the report of `qian verify`), against the genesis encoding
// this file pins. Nothing from a node is put into the page as HTML: text
// only.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const genesisHex = $("qian-genesis").textContent.trim();
  let ready = null; // resolves when qianVerifier exists
  let chain = null; // the pinned chain, as qianVerifier.anchor describes it

  // el builds an element: el("p", {class: "x"}, "text", child, ...).
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const k of kids) {
      if (k == null) continue;
      e.append(k instanceof Node ? k : String(k));
    }
    return e;
  }
  // bi is a bilingual line: Chinese, then English.
  const bi = (zh, en) => el("span", {}, zh + " ", el("span", { lang: "en" }, en));

  // start decodes the inlined module (gzip, base64) and runs it; the page
  // is usable (and painted) before, since this runs after load.
  function start() {
    ready = new Promise((resolve, reject) => {
      globalThis.onQianVerifierReady = resolve;
      const b64 = $("qian-wasm").textContent.trim();
      const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      if (typeof DecompressionStream === "undefined") {
        reject(new Error("此浏览器太旧，不能解压验证程序 This browser is too old to unpack the verifier (no DecompressionStream)"));
        return;
      }
      const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream("gzip"));
      new Response(stream).arrayBuffer()
        .then((buf) => {
          const go = new Go();
          return WebAssembly.instantiate(buf, go.importObject).then((r) => go.run(r.instance));
        })
        .catch(reject);
    });
    return ready.then(showChain);
  }

  // showChain lists the pinned validators by organisation.
  function showChain() {
    chain = JSON.parse(qianVerifier.anchor(genesisHex));
    const box = $("validators");
    box.replaceChildren();
    if (chain.error) {
      box.append(el("p", { class: "bad" }, chain.error));
      return;
    }
    const orgs = {};
    for (const o of chain.organisations || []) orgs[o.id] = o;
    const ul = el("ul");
    for (const v of chain.validators) {
      const o = orgs[v.org];
      ul.append(el("li", {}, v.name + " — ", o ? orgName(o) : v.org || "?", " · ", el("span", { class: "muted" }, "power " + v.power)));
    }
    box.append(el("p", {}, bi(chain.validators.length + " 个创世验证者", chain.validators.length + " genesis validators, total power " + chain.total_power)), ul);
    $("verify").disabled = false;
  }

  const orgName = (o) => (o.name || o.id) + (o.name_en ? " (" + o.name_en + ")" : "");

  // fetchText fetches a URL as text: a GET without credentials, as CORS
  // allows from any page (and from file://).
  async function fetchText(url, accept) {
    const r = await fetch(url, { credentials: "omit", headers: accept ? { Accept: accept } : {} });
    const text = await r.text();
    if (!r.ok) throw new Error(url + ": HTTP " + r.status + " " + text.slice(0, 300));
    return text;
  }

  // digitalLink recognises a lot's GS1 Digital Link URL (/01/GTIN/10/LOT).
  function digitalLink(url) {
    let u;
    try { u = new URL(url); } catch (e) { return null; }
    const m = u.pathname.match(/\/01\/(\d{8,14})\/10\/([^/?#]+)/);
    return m ? { origin: u.origin, gtin: m[1].padStart(14, "0"), lot: m[2] } : null;
  }

  function check(text, options) {
    return JSON.parse(qianVerifier.verify(text, genesisHex, JSON.stringify(options || {})));
  }

  // result shows an outcome: verified or not, its code, and the source.
  function result(verified, code, source, ...content) {
    const r = $("result");
    r.hidden = false;
    r.replaceChildren(...content);
    r.dataset.code = code || "";
    r.dataset.source = source || "";
    r.dataset.ms = String(Math.round(performance.now())); // since the page's navigation began
    r.dataset.verified = verified ? "true" : "false";
    r.scrollIntoView({ block: "start" });
  }

  async function verifyBundle(text, source, options) {
    await ready;
    const v = check(text, options);
    if (v.error) return result(false, "ERR_PAGE", source, el("p", { class: "verdict" }, v.error));
    result(v.verified, v.code, source, ...render(v, source));
  }

  // verifyLot fetches a lot's events from the node its Digital Link names
  // and checks each event's bundle, asking that it proves that event.
  async function verifyLot(dl, source) {
    await ready;
    const lotURL = dl.origin + "/v1/lots/" + dl.gtin + "/" + encodeURIComponent(decodeURIComponent(dl.lot));
    const lot = JSON.parse(await fetchText(lotURL, "application/json"));
    const events = lot.history || [];
    const parts = [];
    let all = events.length > 0, firstCode = "";
    for (const ev of events) {
      let v;
      try {
        v = check(await fetchText(dl.origin + "/v1/txs/" + ev.tx_hash + "/proof"), { event: ev.hash });
      } catch (e) {
        v = { verified: false, code: "ERR_FETCH", message: String(e.message || e) };
      }
      if (!v.verified) { all = false; firstCode = firstCode || v.code; }
      parts.push(eventPart(ev, v));
    }
    const head = all
      ? el("p", { class: "verdict" }, bi("✔ 已验证：该批次的 " + events.length + " 条记录都已上链", "VERIFIED: each of the lot's " + events.length + " records the node gave is on the chain this page pins"))
      : el("p", { class: "verdict" }, bi("✘ 未通过：该批次有记录未能证明", "NOT VERIFIED: some of the lot's records are not proven (" + (firstCode || "no records") + ")"));
    result(all, all ? "" : firstCode || "ERR_NO_EVENTS", source, head,
      el("p", {}, bi("批次 " + dl.lot + "（GTIN " + dl.gtin + "）", "Lot " + dl.lot + " of GTIN " + dl.gtin + ", from " + dl.origin)),
      el("p", { class: "muted" }, bi("节点可能没有给出全部记录；本页只能核验它给出的每一条。", "The node may have left records out; this page can only check each one it gave.")),
      ...parts);
  }

  // eventPart is one lot event's line: what the node said, what its proof proved.
  function eventPart(ev, v) {
    const d = el("div", { class: "event " + (v.verified ? "ok" : "bad"), "data-event": ev.hash, "data-verified": String(!!v.verified) });
    d.append(el("b", {}, (ev.title_zh || ev.step || ev.type) + " "), el("span", { lang: "en" }, ev.title_en || ""));
    if (v.verified) {
      const r = v.report;
      d.append(el("br"), bi("区块 " + r.height + "，" + localTime(r.time), "block " + r.height + ", " + r.time),
        el("br"), signedBy(v), el("br"), el("code", { class: "hash" }, ev.hash));
    } else {
      d.append(el("br"), bi("未证明", "not proven: " + (v.code || "") + " " + (v.message || "")));
    }
    return d;
  }

  const localTime = (t) => new Date(t).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" }) + " (UTC+8)";

  // signedBy names the organisations whose validators signed.
  function signedBy(v) {
    const r = v.report, names = [];
    let unnamed = 0;
    for (const s of v.signers || []) {
      if (!s.org) { unnamed++; continue; }
      const n = orgName(s.org);
      if (!names.includes(n)) names.push(n);
    }
    if (unnamed) names.push(unnamed + " 个创世后加入的验证者 validator(s) voted in after genesis (key only)");
    return bi(r.signers.length + "/" + r.validators + " 个验证者签名（" + r.signed_power + "/" + r.total_power + " 投票权）",
      "signed by " + r.signers.length + " of " + r.validators + " validators (" + r.signed_power + " of " + r.total_power + " power): " + names.join("; "));
  }

  // render is what a verdict proved, or why it proved nothing.
  function render(v, source) {
    if (!v.verified) {
      return [
        el("p", { class: "verdict" }, bi("✘ 未通过验证", "NOT VERIFIED")),
        el("p", {}, el("code", {}, v.code || ""), " ", v.message || ""),
        el("p", {}, bi("这份证明什么也不能证明：不要相信服务器关于它的说法。", "This bundle proves nothing: do not rely on what a server says about it.")),
      ];
    }
    const r = v.report, tx = r.tx, out = [];
    out.push(el("p", { class: "verdict" }, bi("✔ 已验证", "VERIFIED")),
      el("p", {}, bi("依据本页锁定的 " + v.chain_id + " 链创世，不信任任何服务器。", "Against the genesis of chain " + v.chain_id + " this page pins, trusting no server.")));
    const dl = el("dl");
    const row = (zh, en, ...val) => dl.append(el("dt", {}, bi(zh, en)), el("dd", {}, ...val));
    row("记录", "Record", tx.contract + "." + tx.method, el("br"), el("code", { class: "hash" }, r.tx_hash));
    if (v.sender_org) row("发送者", "Sender", bi("创始组织 " + orgName(v.sender_org) + " 的管理员密钥", "a founding admin key of " + orgName(v.sender_org)));
    row("区块", "Block", String(r.height), " (", bi("第 " + (r.index + 1) + "/" + r.tx_count + " 笔", "transaction " + (r.index + 1) + " of " + r.tx_count), ")");
    row("时间", "Time", localTime(r.time), el("br"), el("span", { class: "muted" }, r.time));
    row("签名", "Signed", signedBy(v));
    if (r.transitions > 0) row("验证者变更", "Set changes", bi("自创世起 " + r.transitions + " 次，均已逐次核验", r.transitions + " since genesis, each certified by the set before it, followed"));
    if (r.result) {
      row("执行结果", "Outcome", r.result.code, " ", r.result.proven
        ? bi("（已证明）", "(proven by block " + r.result.proven_by + "'s app hash)")
        : bi("（未证明）", "(not proven)"));
    } else {
      row("执行结果", "Outcome", bi("证明中没有：下一个区块提交后再取一次", "not in the bundle: fetch it again once block " + (r.height + 1) + " is committed"));
    }
    if (v.certificate) {
      const c = v.certificate;
      row("公证项", "Notarised item", el("code", { class: "hash" }, c.item), el("br"), bi("批次中第 " + (c.index + 1) + "/" + c.size + " 项", "position " + (c.index + 1) + " of the " + c.size + " items the transaction anchors"));
      row("文件", "File", c.file_checked ? bi("其 SHA-256 就是该项", (c.file || "the file") + ": its SHA-256 is the item") : bi("未核对", "not checked"));
      if (c.name) row("名称", "Name", c.name, " ", bi("（证书所写，未证明）", "(as the certificate gives it, not proven)"));
    }
    for (const e of v.events || []) {
      row("溯源事件", "Trace event", e.type + " · " + (e.biz_step || "").replace(/^.*[/:]/, ""), " · ", e.org ? orgName(e.org) : "",
        el("br"), el("code", { class: "hash" }, e.hash), ...(e.objects || []).map((o) => el("div", { class: "muted" }, o)));
    }
    for (const d of v.disclosures || []) {
      row("披露", "Disclosure", d.field + ": " + d.value, " ", bi("（与链上承诺一致）", "(opens the commitment the event recorded)"));
    }
    out.push(dl);
    if (v.payload) out.push(el("details", {}, el("summary", {}, bi("记录内容", "The record")), el("pre", {}, JSON.stringify(v.payload, null, 2))));
    out.push(el("p", { class: "muted" }, bi("来源", "Source: " + source)));
    return out;
  }

  // run verifies what a URL names: a lot's Digital Link, or a bundle.
  async function runURL(url) {
    try {
      const dl = digitalLink(url);
      if (dl) return await verifyLot(dl, url);
      await verifyBundle(await fetchText(url, "application/json"), url);
    } catch (e) {
      await ready.catch(() => {});
      result(false, "ERR_FETCH", url, el("p", { class: "verdict" }, bi("✘ 无法取得", "COULD NOT FETCH")), el("p", {}, String(e.message || e)));
    }
  }

  async function readFile(input) {
    const f = input.files && input.files[0];
    return f ? { name: f.name, text: await f.text(), bytes: new Uint8Array(await f.arrayBuffer()) } : null;
  }

  async function submit(ev) {
    ev.preventDefault();
    const opts = {};
    const disc = await readFile($("disclosure-file"));
    if (disc) opts.disclosures = [{ name: disc.name, text: disc.text }];
    const file = await readFile($("check-file"));
    if (file) {
      const d = new Uint8Array(await crypto.subtle.digest("SHA-256", file.bytes));
      opts.file_sha256 = Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
      opts.file_name = file.name;
    }
    const bf = await readFile($("bundle-file"));
    const pasted = $("bundle-text").value.trim(), url = $("bundle-url").value.trim();
    if (bf) return verifyBundle(bf.text, bf.name, opts);
    if (pasted) return verifyBundle(pasted, "pasted", opts);
    if (url) {
      const dl = digitalLink(url);
      if (dl) return verifyLot(dl, url);
      try { return await verifyBundle(await fetchText(url, "application/json"), url, opts); } catch (e) { return runURL(url); }
    }
  }

  // fromHash verifies #bundle=URL (links and tests use it).
  function fromHash() {
    const m = location.hash.match(/^#bundle=(.+)$/);
    if (m) runURL(decodeURIComponent(m[1]));
  }

  $("form").addEventListener("submit", submit);
  window.addEventListener("hashchange", fromHash);
  window.addEventListener("load", () => {
    setTimeout(() => {
      start().catch((e) => {
        $("validators").replaceChildren(el("p", { class: "bad" }, String(e.message || e)));
        result(false, "ERR_PAGE", "", el("p", { class: "verdict" }, String(e.message || e)));
      });
      fromHash();
    }, 0);
  });
})();

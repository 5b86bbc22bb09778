import { describe, expect, it } from "vitest";
import { BuildError } from "../../src/errors.js";
import { makeScrubber, redactUrl, redactUrls, scrubDeep, scrubError } from "../../src/redact.js";

describe("redactUrl", () => {
  it.each([
    ["https://alice:s3cret@index.example.org/simple", "https://alice:****@index.example.org/simple"],
    ["https://alice:p%40ss@host:8443/x", "https://alice:****@host:8443/x"],
    ["https://u:p@ss@host/x", "https://u:****@host/x"],
    ["https://:tok@host", "https://:****@host"],
    ["https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r.git", "https://****@github.com/o/r.git"],
    ["https://x-access-token:abc@github.com/o/r", "https://x-access-token:****@github.com/o/r"],
    ["ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git"],
    ["https://index.example.org/simple", "https://index.example.org/simple"],
    ["git@github.com:o/r.git", "git@github.com:o/r.git"],
  ])("%s → %s", (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it("every URL in a text, in quotes or not", () => {
    expect(redactUrls("trying URL 'https://c:pw@cran/x.tar.gz' and \"http://d:pw2@h/\" then https://e:pw3@h")).toBe(
      "trying URL 'https://c:****@cran/x.tar.gz' and \"http://d:****@h/\" then https://e:****@h",
    );
  });
});

describe("makeScrubber", () => {
  const opts = {
    buildArgs: { API_TOKEN: "tok-123456", PLAIN: "plain-value", SHORT: "3.11", EMPTY: "", DB_PASSWORD: "pw" },
    pipIndexUrl: "https://alice:p%40ss-word@index.example.org/simple",
    pipExtraIndexUrls: ["https://bob:extra-secret@extra.example.org/simple"],
    cranMirror: "https://carol:cran-secret@cran.example.org",
  };

  it("hides index passwords (raw and decoded) and credential-like build arguments wherever they appear", () => {
    const scrub = makeScrubber(opts);
    const text = "p%40ss-word p@ss-word extra-secret cran-secret tok-123456 --build-arg API_TOKEN=tok-123456 DB_PASSWORD=pw";
    expect(scrub(text)).toBe("**** **** **** **** **** --build-arg API_TOKEN=**** DB_PASSWORD=****");
  });

  it("without --debug, other build arguments are hidden as NAME=value only (3.11 stays in prose)", () => {
    const scrub = makeScrubber(opts);
    expect(scrub("--build-arg PLAIN=plain-value --build-arg SHORT=3.11; Python 3.11")).toBe("--build-arg PLAIN=**** --build-arg SHORT=****; Python 3.11");
  });

  it("with --debug, plain build arguments are shown, credential-like ones still hidden", () => {
    const scrub = makeScrubber({ ...opts, debug: true });
    expect(scrub("PLAIN=plain-value API_TOKEN=tok-123456 tok-123456")).toBe("PLAIN=plain-value API_TOKEN=**** ****");
  });

  it("extra secrets (the action's masked inputs) and any URL password", () => {
    const scrub = makeScrubber({ extra: ["from-the-action"] });
    expect(scrub("x from-the-action https://u:other@h/")).toBe("x **** https://u:****@h/");
  });

  it("scrubDeep scrubs every string of an event, keys and other values untouched", () => {
    const scrub = makeScrubber(opts);
    const event = { type: "progress", event: { type: "log", text: "token tok-123456", n: 3, ok: true, list: ["cran-secret", null] } };
    expect(scrubDeep(event, scrub)).toEqual({ type: "progress", event: { type: "log", text: "token ****", n: 3, ok: true, list: ["****", null] } });
    expect(event.event.text).toBe("token tok-123456");
  });

  it("scrubError rewrites a build error's message and log in place", () => {
    const err = new BuildError("failed with tok-123456", { log: "trying URL 'https://carol:cran-secret@cran.example.org/x'" });
    expect(scrubError(err, makeScrubber(opts))).toBe(err);
    expect(err.message).toBe("failed with ****");
    expect(err.log).toBe("trying URL 'https://carol:****@cran.example.org/x'");
    expect(err.stack).not.toContain("tok-123456");
  });
});

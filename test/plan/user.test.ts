import os from "node:os";
import { describe, expect, it } from "vitest";
import { resolveUser } from "../../src/plan/user.js";
import { expectConfigError } from "../detect/helpers.js";

const ROOT = { uid: 0, name: "root" };
const ALICE = { uid: 1234, name: "alice" };

describe("resolveUser: --user-id", () => {
  it.each([[0], ["0"], ["000"]])("uid %j is refused (root)", (userId) => {
    const e = expectConfigError(() => resolveUser({ userId, invoking: ALICE }), { file: "--user-id", line: undefined, message: /--user-id 0 would run the image as root/ });
    expect(e.hint).toMatch(/1000/);
  });

  it.each([["abc"], ["-1"], ["1.5"], ["1e3"], ["0x10"], ["10 00"]])("non-numeric uid %j is refused", (userId) => {
    expectConfigError(() => resolveUser({ userId, invoking: ALICE }), { file: "--user-id", message: new RegExp(`--user-id must be a number, got "${userId.replace(".", "\\.")}"`) });
  });

  it("a uid beyond the Linux range is refused; the largest is accepted", () => {
    expectConfigError(() => resolveUser({ userId: 2 ** 31 - 1, invoking: ALICE }), { file: "--user-id", message: /is too large/ });
    expect(resolveUser({ userId: 2 ** 31 - 2, userName: "x", invoking: ALICE }).user.uid).toBe(2147483646);
  });

  it("a numeric string with spaces is accepted", () => {
    expect(resolveUser({ userId: " 1001 ", userName: "crowdai", invoking: ROOT }).user.uid).toBe(1001);
  });

  it("--user-id 1001 --user-name crowdai, even when r2d runs as root: no notice", () => {
    expect(resolveUser({ userId: 1001, userName: "crowdai", invoking: ROOT })).toEqual({ user: { name: "crowdai", uid: 1001, gid: 1001, source: "--user-id" }, notice: null });
    expect(resolveUser({ userId: "1001", userName: "crowdai", invoking: ALICE })).toEqual({ user: { name: "crowdai", uid: 1001, gid: 1001, source: "--user-id" }, notice: null });
  });

  it("--user-id alone takes the invoking user's name, or jovyan when that is root", () => {
    expect(resolveUser({ userId: 1001, invoking: ALICE }).user).toEqual({ name: "alice", uid: 1001, gid: 1001, source: "--user-id" });
    expect(resolveUser({ userId: 1001, invoking: ROOT })).toEqual({ user: { name: "jovyan", uid: 1001, gid: 1001, source: "--user-id" }, notice: null });
  });

  it("an empty --user-id is treated as not given", () => {
    expect(resolveUser({ userId: "", invoking: ALICE }).user).toEqual({ name: "alice", uid: 1234, gid: 1234, source: "invoking user" });
  });
});

describe("resolveUser: --user-name", () => {
  it.each([["Bad"], ["1abc"], ["a".repeat(33)], ["a b"], ["-x"], ["foo;rm"], ["jo.vyan"], ["$x"], ["ab$c"], ["machine$"], ["a'b"], ["a\nb"], ["jövyan"]])("%j is refused", (userName) => {
    const e = expectConfigError(() => resolveUser({ userName, invoking: ALICE }), { file: "--user-name", line: undefined, message: /is not a valid Linux user name/ });
    expect(e.message).toContain(JSON.stringify(userName));
    expect(e.hint).toMatch(/32 characters/);
  });

  it("root is refused", () => {
    expectConfigError(() => resolveUser({ userName: "root", invoking: ALICE }), { file: "--user-name", message: /--user-name root is not allowed/ });
  });

  it.each([["jovyan"], ["_svc"], ["a-b_c9"], ["a".repeat(32)], ["x"]])("%j is accepted", (userName) => {
    expect(resolveUser({ userName, invoking: ALICE }).user).toEqual({ name: userName, uid: 1234, gid: 1234, source: "invoking user" });
  });

  it("--user-name alone, as root: uid falls back to 1000 with a notice, the name is kept", () => {
    const { user, notice } = resolveUser({ userName: "crowdai", invoking: ROOT });
    expect(user).toEqual({ name: "crowdai", uid: 1000, gid: 1000, source: "root fallback" });
    expect(notice).toMatch(/root.*uid 1000.*--user-id/);
  });
});

describe("resolveUser: defaults from the invoking user", () => {
  it("root invoking user → 1000/jovyan and a notice", () => {
    const { user, notice } = resolveUser({ invoking: ROOT });
    expect(user).toEqual({ name: "jovyan", uid: 1000, gid: 1000, source: "root fallback" });
    expect(notice).toBe("r2d runs as root, so the image user is uid 1000; pass --user-id/--user-name to choose");
  });

  it.each([["machine$"], ["a b"], ["$(id)"], ["x".repeat(33)], ["Alice"]])("an invoking user named %j (not writable into the image) gives jovyan", (name) => {
    expect(resolveUser({ invoking: { uid: 1234, name } }).user).toEqual({ name: "jovyan", uid: 1234, gid: 1234, source: "invoking user" });
  });

  it("a non-root invoking user is used as is, without a notice", () => {
    expect(resolveUser({ invoking: ALICE })).toEqual({ user: { name: "alice", uid: 1234, gid: 1234, source: "invoking user" }, notice: null });
    expect(resolveUser({ invoking: { uid: 1000, name: "ubuntu" } }).user).toEqual({ name: "ubuntu", uid: 1000, gid: 1000, source: "invoking user" });
  });

  it("an invoking login that is not a valid user name keeps the uid but becomes jovyan", () => {
    expect(resolveUser({ invoking: { uid: 501, name: "Alice.Smith" } }).user).toEqual({ name: "jovyan", uid: 501, gid: 501, source: "invoking user" });
    expect(resolveUser({ invoking: { uid: 501, name: "root" } }).user.name).toBe("jovyan");
  });

  it("without an injected invoking user, the process's own is used", () => {
    const { user, notice } = resolveUser({});
    const uid = process.getuid!();
    if (uid === 0) {
      expect(user).toEqual({ name: "jovyan", uid: 1000, gid: 1000, source: "root fallback" });
      expect(notice).not.toBeNull();
    } else {
      expect(user.uid).toBe(uid);
      expect(user.source).toBe("invoking user");
      const login = os.userInfo().username;
      if (/^[a-z_][a-z0-9_-]*\$?$/.test(login)) expect(user.name).toBe(login);
    }
  });
});

// A browser-condition bundle: importing must not throw; connect() must.
export * as m from "@sockets/connect";

// lib/live/: readers of a live system's files under a root directory.
export * from "./livepatch-sysfs.js";
export * from "./modules-dir.js";
export * from "./proc.js";
export * from "./read.js";
export * from "./security.js";
export * from "./system.js";
export * from "./tracefs.js";

/**
 * The agent's settings: {@code AgentKeys} declares every key with the shared grammar of the {@code
 * config} module, {@code AgentConfig} reads and validates them in {@code premain} (system
 * properties, {@code TRIPLINE_*} environment variables read from the process's environment block by
 * {@code EnvironmentBlock}, a file). Loaded by the premain loader and shared with the agent's
 * module, as is {@code AgentEntry}, premain's hand-over into that module; imports no other agent
 * package.
 */
package dev.tripline.agent.config;

-- Where the gateway tells the outcome of each invocation of the agent: a JSON array of channels (email, agent,
-- webhook, each with the outcomes it is told of), checked by service.AgentConfigRules; null when there are none.
alter table external_agent add column notify text;

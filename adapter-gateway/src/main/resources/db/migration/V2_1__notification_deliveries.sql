-- Notifications (kaizen.notifications.v1, and the notify channels of agents) are deliveries of kind 'notification'.
-- notification_id is the notification's own id: a redelivered or republished notification finds its delivery and
-- stores no second one. Destinations other than http(s): 'mailto:a@x,b@y' (an e-mail, its body the rendered
-- message as JSON) and 'agent:<agent id>' (a registered messaging agent, its body the message to render as JSON;
-- rendered and signed with the agent's credentials at each attempt, so no credential is ever stored here).
alter table delivery add column notification_id varchar(255);
create unique index delivery_notification on delivery (organization_id, notification_id)
    where notification_id is not null;

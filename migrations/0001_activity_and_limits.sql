CREATE TABLE `sandbox_creations` (
	`client` text NOT NULL,
	`hour` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`client`, `hour`)
);
--> statement-breakpoint
ALTER TABLE `sandboxes` ADD `last_active_at` integer;--> statement-breakpoint
CREATE INDEX `sandboxes_last_active_at` ON `sandboxes` (`last_active_at`);--> statement-breakpoint
-- Rows from before activity was tracked count as active since their creation.
UPDATE `sandboxes` SET `last_active_at` = `created_at` WHERE `last_active_at` IS NULL;
CREATE TABLE `objects` (
	`sandbox_id` text NOT NULL,
	`resource` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`uid` text NOT NULL,
	`resource_version` integer NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`sandbox_id`, `resource`, `namespace`, `name`)
);
--> statement-breakpoint
CREATE TABLE `sandboxes` (
	`id` text PRIMARY KEY NOT NULL,
	`read_only_id` text NOT NULL,
	`owner_token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`forked_from` text,
	`options` text DEFAULT '{}' NOT NULL,
	`resource_version` integer DEFAULT 0 NOT NULL,
	`clock` text DEFAULT '{}' NOT NULL,
	`rng_state` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `sandboxes_read_only_id` ON `sandboxes` (`read_only_id`);
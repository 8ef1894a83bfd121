/**
 * The watched tree, as every event but Remote Upload Finished reads it: the folder picker, the
 * options, and one walk of the folder (and those below it, if asked), one listing per folder.
 */
import type { IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { forgetAll } from '../YetiShare/execution/cache';
import { folderPicker } from '../YetiShare/shared/descriptions';
import { resolveFolderId } from '../YetiShare/shared/locators';
import { walkTree, type ListedFolder } from '../YetiShare/shared/tree';

/** The form's folder picker, and what each poll resolves. */
export const watchedFolder = folderPicker({
	name: 'folder',
	displayName: 'Folder',
	allowRoot: true,
	description: 'The folder to watch',
});

export interface WatchOptions {
	includeSubfolders?: boolean;
	name?: string;
	download?: boolean;
}

/** The watched folder's id ('' for the root) and the event's options, read afresh each poll. */
export async function watchedScope(
	ctx: IPollFunctions,
): Promise<{ folderId: string; options: WatchOptions }> {
	// n8n may reuse one context for every poll of an active workflow: look the path up afresh
	forgetAll(ctx);
	const folderId = await resolveFolderId(ctx, 0, watchedFolder);
	return { folderId, options: ctx.getNodeParameter('options', {}) as WatchOptions };
}

/** Every listing of the watched tree; a watched folder that is gone is said so. */
export async function walkWatched(
	ctx: IPollFunctions,
	rootId: string,
	deep: boolean,
): Promise<ListedFolder[]> {
	const listed: ListedFolder[] = [];
	await walkTree(ctx, [{ id: rootId, path: '' }], (listing) => void listed.push(listing), {
		deep,
		explain: (folder, failure) =>
			folder.id === rootId && rootId !== '' && failure.problem === 'folderNotFound'
				? new NodeOperationError(
						ctx.getNode(),
						`The watched folder (ID ${rootId}) no longer exists on the site`,
						{
							description:
								'It was deleted or moved to the trash. Choose another folder in the trigger.',
						},
					)
				: undefined,
	});
	return listed;
}

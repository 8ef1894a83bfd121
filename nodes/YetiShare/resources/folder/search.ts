import { searchProperties, searchTree } from '../../shared/search';
import { toItems } from '../../shared/utils';
import type { Operation } from '../types';

export const search: Operation<'search'> = {
	option: {
		name: 'Search',
		value: 'search',
		action: 'Search folders by name',
		description:
			'Find folders by name anywhere below a folder (the whole account by default), each with its path',
	},
	properties: searchProperties('folder'),
	async execute(i) {
		return toItems(await searchTree(this, i, 'folder', (listed) => listed.folders));
	},
};

import { defineResource } from '../types';
import { create } from './create';
import { deleteFolder } from './delete';
import { get } from './get';
import { getMany } from './getMany';
import { move } from './move';
import { search } from './search';
import { update } from './update';

export const folder = defineResource({
	option: { name: 'Folder', value: 'folder' },
	defaultOperation: 'getMany',
	operations: { create, delete: deleteFolder, get, getMany, move, search, update },
});

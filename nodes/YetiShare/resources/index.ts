import { defineResources } from './types';
import { account } from './account';
import { file } from './file';
import { folder } from './folder';

/** Every resource of the node, in the order the form lists them. */
export const resources = defineResources({ account, file, folder });

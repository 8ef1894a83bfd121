import type { Resource } from './types';
import { account } from './account';
import { folder } from './folder';

/** Every resource of the node, in the order the form lists them. */
export const resources: Record<string, Resource> = { account, folder };

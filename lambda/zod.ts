import * as z from 'zod/mini';
import { en } from 'zod/locales';

/*
 * The one zod every schema module imports (`import * as z from '../zod'`):
 * zod/mini, which builds schemas without attaching dozens of methods to each
 * instance (a faster cold start and a smaller bundle than the classic API).
 * Unlike the classic API, zod/mini loads no error-message locale: without this
 * every message is a bare "Invalid input". Configured here, in the module
 * every schema module imports, so it is applied before any schema parses, in
 * every bundle.
 */
z.config(en());

export * from 'zod/mini';

/**
 * The HTML a client can meet instead of the API's JSON: the web server's error pages, a proxy's
 * error pages, a parked domain, and the site's own pages behind the URLs the API hands out.
 */
import type { SandboxFile, SandboxFolder } from './types';

export function escapeHtml(text: string): string {
	return text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
	);
}

/** Apache's own 404, which is what a site without the endpoint (or without the API) sends. */
export const APACHE_NOT_FOUND = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
</body></html>
`;

export const APACHE_METHOD_NOT_ALLOWED = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>405 Method Not Allowed</title>
</head><body>
<h1>Method Not Allowed</h1>
<p>The requested method is not allowed for this URL.</p>
</body></html>
`;

/** What PHP sends when the script dies: an empty-looking 500. */
export const INTERNAL_ERROR = `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>500 Internal Server Error</title>
</head><body>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error or misconfiguration and was unable to complete your request.</p>
</body></html>
`;

const REASONS: Record<number, string> = {
	400: 'Bad Request',
	401: 'Unauthorized',
	403: 'Forbidden',
	404: 'Not Found',
	408: 'Request Timeout',
	413: 'Request Entity Too Large',
	429: 'Too Many Requests',
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Temporarily Unavailable',
	504: 'Gateway Time-out',
	520: 'Web server is returning an unknown error',
	521: 'Web server is down',
	522: 'Connection timed out',
};

/** The page a reverse proxy (nginx here) sends for its own errors, line for line (nginx ends lines with CRLF). */
export function proxyErrorPage(status: number): string {
	const title = `${status} ${REASONS[status] ?? 'Error'}`;
	return [
		'<html>',
		`<head><title>${title}</title></head>`,
		'<body>',
		`<center><h1>${title}</h1></center>`,
		'<hr><center>nginx</center>',
		'</body>',
		'</html>',
		'',
	].join('\r\n');
}

/** nginx's answer to a request body over client_max_body_size. */
export const TOO_LARGE = proxyErrorPage(413);

/** A host that is not the API: a parked domain, as a mistyped base URL often reaches. */
export const PARKED_DOMAIN = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>This domain is parked</title>
</head>
<body>
<h1>This domain may be for sale</h1>
<p>The site you are looking for is not here. Sign in to continue to your hosting control panel.</p>
<form action="/login" method="post"><input name="username"><input name="password" type="password"><button>Sign in</button></form>
</body>
</html>
`;

export const DOWNLOAD_REFUSED = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>403 Forbidden</title></head>
<body>
<h1>Forbidden</h1>
<p>This download link is not valid: it has expired or belongs to another file. Request a new one.</p>
</body>
</html>
`;

export const FILE_REMOVED = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>File not found</title></head>
<body>
<h1>File not found</h1>
<p>The file you requested has been removed.</p>
</body>
</html>
`;

function page(siteName: string, title: string, body: string): string {
	return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} - ${escapeHtml(siteName)}</title></head>
<body>
<header><a href="/">${escapeHtml(siteName)}</a></header>
<main>
${body}
</main>
</body>
</html>
`;
}

export function homePage(siteName: string, apiUrl: string): string {
	return page(
		siteName,
		'Home',
		`<h1>${escapeHtml(siteName)}</h1>
<p>A stand-in for a site running the File Upload Script (YetiShare). Its API is at <code>${escapeHtml(apiUrl)}/</code>.</p>`,
	);
}

/** The page behind a short url: what a browser sees without a download token. */
export function fileInfoPage(siteName: string, file: SandboxFile): string {
	return page(
		siteName,
		file.filename,
		`<h1>${escapeHtml(file.filename)}</h1>
<dl>
<dt>Size</dt><dd>${file.fileSize} bytes</dd>
<dt>Type</dt><dd>${escapeHtml(file.fileType)}</dd>
<dt>Uploaded</dt><dd>${escapeHtml(file.uploadedDate)}</dd>
</dl>
<p>Downloads need a download link from the API (file/download).</p>`,
	);
}

export function folderPage(siteName: string, folder: SandboxFolder, files: SandboxFile[]): string {
	if (folder.isPublic === '0') {
		return page(siteName, folder.folderName, '<h1>This folder is private</h1>');
	}
	const items = files
		.map(
			(file) => `<li><a href="/${escapeHtml(file.shortUrl)}">${escapeHtml(file.filename)}</a></li>`,
		)
		.join('\n');
	return page(
		siteName,
		folder.folderName,
		`<h1>${escapeHtml(folder.folderName)}</h1>\n<ul>\n${items}\n</ul>`,
	);
}

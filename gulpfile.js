// Copies the light and dark icons (icons/yetishare.svg, icons/yetishare.dark.svg) to dist/icons/.
// The descriptions point at them as file:../../icons/… (nodes) and file:../icons/… (credential):
// n8n resolves that path from the compiled .js in dist/, and n8n's lint (icon-validation) from the
// .ts source, so one icons/ folder at the same depth in both trees serves both, one file per theme.
const { rm } = require('fs/promises');
const { src, dest } = require('gulp');

function buildIcons() {
	return src('icons/*.svg', { encoding: false }).pipe(dest('dist/icons'));
}

// `npm run build` starts from an empty dist/, so no file of an earlier build or layout is left there.
function clean() {
	return rm('dist', { recursive: true, force: true });
}

exports['build:icons'] = buildIcons;
exports.clean = clean;
exports.default = buildIcons;

// Copies the icons the node and credential descriptions point at (file:../../icons/…) into dist/.
const { src, dest } = require('gulp');

function buildIcons() {
	return src('icons/**/*.{png,svg}', { encoding: false }).pipe(dest('dist/icons'));
}

exports['build:icons'] = buildIcons;
exports.default = buildIcons;

// The console's entry: routes #/files/<path> and #/cluster to their pages and starts the cluster poller.
import { currentPage } from './shell.js';
import { showFiles } from './files.js';
import { showCluster, startClusterPolling } from './cluster.js';

const pages = { files: document.getElementById('page-files'), cluster: document.getElementById('page-cluster') };
const navs = { files: document.getElementById('nav-files'), cluster: document.getElementById('nav-cluster') };

function route() {
  const page = currentPage();
  for (const [name, section] of Object.entries(pages)) {
    section.hidden = name !== page;
    if (name === page) navs[name].setAttribute('aria-current', 'page');
    else navs[name].removeAttribute('aria-current');
  }
  if (page === 'cluster') {
    document.title = 'Cluster · Dfs console';
    showCluster();
  } else {
    const encoded = location.hash.startsWith('#/files') ? location.hash.slice('#/files'.length) : '/';
    let dir;
    try {
      dir = '/' + encoded.split('/').filter(s => s.length > 0).map(decodeURIComponent).join('/');
    } catch {
      dir = '/';
    }
    document.title = `${dir} · Dfs console`;
    showFiles(dir);
  }
}

window.addEventListener('hashchange', route);
route();
startClusterPolling();

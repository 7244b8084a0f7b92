from safestar.core.panels import nav_entry
from safestar.org.roles import can

nav_entry(5, "创建态势", "dashboard", lambda user: can(user, "dashboards.view"))
nav_entry(6, "预测预警", "dashboard-warnings", lambda user: can(user, "dashboards.view"))
